"""The warming pool runs lower priority numbers first, and drops what has not started."""

from __future__ import annotations

import threading

from mixguard.index._warm_pool import WarmPool


def test_lower_priority_numbers_first_then_in_order() -> None:
    pool = WarmPool(1)
    gate, done = threading.Event(), threading.Event()
    ran: list[str] = []
    pool.submit(0, gate.wait)  # the one thread is busy until the gate opens
    for priority, name in ((2, "deep"), (0, "needed"), (1, "record"), (0, "needed too")):
        pool.submit(priority, ran.append, name)
    pool.submit(3, done.set)
    gate.set()
    assert done.wait(5)
    assert ran == ["needed", "needed too", "record", "deep"]
    pool.shutdown()


def test_shutdown_drops_what_has_not_started() -> None:
    pool = WarmPool(1)
    gate, started = threading.Event(), threading.Event()
    ran: list[str] = []

    def running() -> None:
        started.set()
        gate.wait()
        ran.append("running")

    pool.submit(0, running)
    assert started.wait(5)
    pool.submit(0, ran.append, "queued")
    pool.shutdown()
    pool.submit(0, ran.append, "after")  # ignored
    gate.set()
    for t in pool._threads:
        t.join(5)
    assert ran == ["running"]  # the running task ends; nothing queued or later runs


def test_a_failing_task_does_not_stop_the_pool() -> None:
    pool = WarmPool(1)
    done = threading.Event()
    pool.submit(0, lambda: 1 / 0)
    pool.submit(1, done.set)
    assert done.wait(5)
    pool.shutdown()


def test_a_pool_never_shut_down_does_not_hold_the_process_at_exit() -> None:
    # an API caller that starts the remedies' resolution and never reads it leaves a pool
    # running: its threads are daemons, so the interpreter exits (else this would hang)
    import subprocess
    import sys

    code = (
        "import threading\n"
        "from mixguard.index._warm_pool import WarmPool\n"
        "pool = WarmPool(2)\n"
        "pool.submit(0, threading.Event().wait)\n"  # never returns
        "done = threading.Event()\n"
        "pool.submit(0, done.set)\n"
        "assert done.wait(10)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], timeout=120, capture_output=True)
    assert proc.returncode == 0, proc.stderr
