"""Child processes never outlive the export that started them, and leave interrupts to it.

Writers and the pipeline fork worker processes (the process pool, the PDF render child, the
speech jobs). If the export is killed with ``kill -9`` no code of it runs, so the children
must see to it themselves: once :func:`guard` is on, every child forked from a main thread
asks the kernel for SIGKILL when its parent dies (Linux ``PR_SET_PDEATHSIG``), and the rule
is inherited by what it forks in turn, so a whole tree goes with its root. Chosen over a
watching thread (polls, and a thread per child) and over killing the process group on exit
(no code runs on SIGKILL; and a group kill would hit a caller sharing the group).

Children also ignore SIGINT: Ctrl-C reaches the whole foreground group, and the export's
own process decides what an interrupt does (see ``cli``); a child must not print a
KeyboardInterrupt traceback on its way out.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1

_active = False
_registered = False
_libc: ctypes.CDLL | None = None
_forker_pid = 0
_from_main_thread = False
#: File descriptors holding locks that only this process may hold (closed in every child:
#: a forked child would otherwise keep its parent's flock alive after the parent died).
_private_fds: set[int] = set()


def guard() -> None:
    """From now on, children forked by this process (and theirs) die with their parent."""
    global _active, _registered, _libc
    _active = True
    if _libc is None and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            _libc = ctypes.CDLL(None, use_errno=True)  # loaded here, not in a fresh child
    if not _registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
        _registered = True


def hold_privately(fd: int) -> None:
    """Mark a locked descriptor as this process's own: children close their copy."""
    _private_fds.add(fd)


def release(fd: int) -> None:
    """Forget a descriptor given to hold_privately (call before closing it)."""
    _private_fds.discard(fd)


def _before_fork() -> None:
    global _forker_pid, _from_main_thread
    _forker_pid = os.getpid()
    _from_main_thread = threading.current_thread() is threading.main_thread()


def _after_fork_in_child() -> None:
    if not _active:
        return
    for fd in list(_private_fds):
        with contextlib.suppress(OSError):
            os.close(fd)
    _private_fds.clear()
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # The parent's own SIGTERM handler (the CLI's clean stop) is not the child's: a pool
        # that terminates a worker must simply end it.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # The death signal fires when the forking *thread* ends: only safe from a main thread.
    if _from_main_thread and sys.platform.startswith("linux") and _set_pdeathsig():
        if os.getppid() != _forker_pid:  # the parent died before the rule was in place
            os._exit(1)


def _set_pdeathsig() -> bool:
    if _libc is None:
        return False
    try:
        return int(_libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int) -> None:
    """For a process started by exec (not fork): die when ``parent_pid``, its parent, dies."""
    global _libc
    if not sys.platform.startswith("linux"):
        return
    if _libc is None:
        with contextlib.suppress(OSError):
            _libc = ctypes.CDLL(None, use_errno=True)
    if _set_pdeathsig() and os.getppid() != parent_pid:
        os._exit(1)  # the parent is already gone


def kill_children() -> None:
    """SIGKILL this process's multiprocessing children and reap them (theirs follow them)."""
    import multiprocessing

    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.kill()
    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.join(5)
