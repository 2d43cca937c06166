# The fork server's own program. It runs in the zygote process and is never imported: the parent
# (grader.launch.zygote) passes this file's text to ``python -I -c TEXT RUNTIME LIMITS_FILE KEEP_JSON``,
# so it needs no file of the checkout inside a sandbox. It sees only its runtime copy of
# grader.harness (sys.argv[1]) and the limits module loaded by path (sys.argv[2]).
import importlib, importlib.util, json, os, pkgutil, sys
sys.path.insert(0, sys.argv[1])
# An editable install's finder maps ``grader`` to the checkout, hidden suites included: drop it.
sys.meta_path[:] = [f for f in sys.meta_path if not str(getattr(f, "__module__", "")).startswith("__editable__")]
spec = importlib.util.spec_from_file_location("_looplab_limits", sys.argv[2])
limits_module = sys.modules["_looplab_limits"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(limits_module)
import torch, torch.nn, torch.optim, torch.utils.data, torch._dynamo  # LoopSpy uses torch.compiler.disable
import grader.harness.child as child
import grader.harness.probes as probes
for info in pkgutil.iter_modules(probes.__path__):
    importlib.import_module(f"grader.harness.probes.{info.name}")

def reply(text):
    os.write(1, (text + "\n").encode())

KEEP = json.loads(sys.argv[3])  # inside bubblewrap: the folders the sandbox shows in /tmp

def clean(folder, keep):
    # What one child left in the sandbox's private /tmp and /dev/shm is gone before the next
    # starts; the folders the sandbox shows (and the way to them) stay.
    import shutil
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.path in keep:
            continue
        if any(path.startswith(entry.path + "/") for path in keep):
            clean(entry.path, keep)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass

def serve_one(job):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            limits_module.Limits(**job["limits"]).apply()
            null = os.open(os.devnull, os.O_RDONLY)
            sink = os.open(job["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(null, 0); os.dup2(sink, 1); os.dup2(sink, 2)
            os.close(null); os.close(sink)
            if job.get("uid") is not None:  # a user id of the child's own (--sandbox uid)
                os.setgroups([]); os.setgid(job["uid"]); os.setuid(job["uid"])
            os.chdir(job["cwd"])
            sys.argv = ["-c", job["request"]]
            child.main(job["request"])
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush(); sys.stderr.flush()
            finally:
                os._exit(code)
    reply(f"pid {pid}")
    _, status = os.waitpid(pid, 0)
    if KEEP is not None:
        clean("/tmp", KEEP)
        clean("/dev/shm", KEEP)
    reply(f"status {status}")

reply(f"ready {os.getpid()}")
for line in sys.stdin:
    if line.strip():
        serve_one(json.loads(line))
