"""kill_tagged reaches a process that left the process group but kept the token variable."""
import os
import subprocess
import sys
import time

from grader.launch.processes import kill_tagged


def test_a_tagged_process_outside_the_group_is_killed_and_others_are_spared():
    env = {**os.environ, "LOOPLAB_CHILD_TOKEN": "t-123"}
    tagged = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env,
                              start_new_session=True)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                             env={**env, "LOOPLAB_CHILD_TOKEN": "t-456"}, start_new_session=True)
    try:
        time.sleep(0.2)
        kill_tagged("t-123")
        assert tagged.wait(timeout=5) == -9
        assert other.poll() is None
    finally:
        other.kill()
        tagged.kill()
