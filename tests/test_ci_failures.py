""".ci/failures.py, on the log of a real pytest run with a test that hangs: CI must show
where it hung (every thread's stack) and why it failed, not the captured logs around it."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_hung_test_shows_every_threads_stack_and_not_its_captured_logs(tmp_path):
    (tmp_path / "test_hangs.py").write_text(textwrap.dedent("""
        import logging, threading, time

        def waits_in_a_helper_thread():
            time.sleep(3)

        def test_hangs():
            helper = threading.Thread(target=waits_in_a_helper_thread)
            helper.start()
            for n in range(50):
                logging.getLogger("noise").warning("polling %s", n)
            print("std" + "out line")
            helper.join()
            assert False, "the reason it failed"
    """))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:django",
         "-o", "faulthandler_timeout=1", "-o", "addopts=", "-c", "/dev/null",
         "--rootdir", str(tmp_path), str(tmp_path / "test_hangs.py")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path, timeout=120,
    )  # one stream, as .ci/run's logs: the dump lands in the middle of a progress line
    log = tmp_path / "run.log"
    log.write_text(run.stdout)
    shown = subprocess.run([sys.executable, str(ROOT / ".ci/failures.py"), str(log)],
                           capture_output=True, text=True, check=True).stdout

    assert "Timeout (0:00:01)!" in shown
    assert "waits_in_a_helper_thread" in shown  # the other thread's stack
    assert "the reason it failed" in shown
    assert "polling 49" in log.read_text() and "stdout line" in log.read_text()
    assert "polling 49" not in shown and "stdout line" not in shown
