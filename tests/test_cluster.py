"""Indexing on a Dask cluster: a real LocalCluster of two worker processes parses and recognises, the
client alone writes the index, and the index equals one built on this machine row for row."""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import SAMPLES, foiatool_exe
from pdfmaker import ImagePage, release_pdf

OCR_TOOLS = shutil.which("tesseract") is not None and shutil.which("pdftoppm") is not None
needs_ocr = pytest.mark.skipif(not OCR_TOOLS, reason="needs tesseract and pdftoppm (make ocr-deps)")

if importlib.util.find_spec("distributed") is None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):  # in CI, `make test` has installed it
        pytest.fail("dask.distributed is not installed; `make test` installs '.[test,cluster]'", pytrace=False)
    pytest.skip("dask.distributed is not installed (pip install 'foiatool[cluster]')", allow_module_level=True)

from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import SchedulerPlugin
from distributed.utils import key_split


class TaskCount(SchedulerPlugin):
    """How many tasks of each kind (run_page, _parse_batch) finished on the cluster."""

    def __init__(self) -> None:
        self.finished: Counter[str] = Counter()

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if finish == "memory":
            self.finished[key_split(key)] += 1


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as local:
        counter = TaskCount()
        local.scheduler.add_plugin(counter, name="foiatool-task-count")
        local.task_count = counter
        yield local


def _page(subject: str, sender: str = "Morton, John") -> ImagePage:
    return ImagePage([sender, "", f"From: {sender}", "Sent: Tuesday, March 08, 2011 9:00 AM",
                      "To: Lee, David", f"Subject: {subject}", "", "Please call me about the county."])


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(foiatool_exe()), *map(str, args)], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def _release(root: Path, subjects: list[str]) -> Path:
    """The sample dump and release twice over (enough files that parsing goes out in batches), and scans."""
    dump = root / "dump"
    for copy in ("one", "two"):
        shutil.copytree(SAMPLES / "dump", dump / copy / "dump")
        shutil.copytree(SAMPLES / "release", dump / copy / "release")
    scans = dump / "scans"
    scans.mkdir()
    (scans / "a.pdf").write_bytes(release_pdf([_page(subjects[0]), _page(subjects[1])]))
    for n, subject in enumerate(subjects[2:]):
        (scans / f"b{n}.pdf").write_bytes(release_pdf([_page(subject)]))
    return dump


def _canonical(db: Path) -> dict[str, list[tuple]]:
    """Every table a reader sees, with row ids (which follow the order results arrived in) replaced by
    what they name: a message by its sources, a file by its path, a thread by its root, a person by
    name and addresses. Timing columns (ocr_pages.seconds) and file mtimes are left out."""
    conn = sqlite3.connect(db)
    try:
        q = conn.execute
        file_path = dict(q("SELECT id, path FROM files"))
        sources: dict[int, list] = {}
        for message, path, locator in q("SELECT message, path, locator FROM sources ORDER BY path, locator"):
            sources.setdefault(message, []).append((path, locator))
        msg = {mid: repr(sorted(src)) for mid, src in sources.items()}
        msg.update({mid: f"recovered:{msg.get(parent)}:{subject}" for mid, parent, subject in
                    q("SELECT id, parent_id, subject FROM messages WHERE recovered=1")})
        person = {pid: (name, emails) for pid, name, emails in q("SELECT id, name, emails FROM people")}
        thread = {tid: msg.get(root) for tid, root in q("SELECT id, root FROM threads")}
        columns = [c[1] for c in q("PRAGMA table_info(messages)")]
        out: dict[str, list[tuple]] = {}
        rows = []
        for row in q("SELECT * FROM messages"):
            record = dict(zip(columns, row, strict=True))
            record["id"] = msg.get(record["id"])
            for ref in ("duplicate_of", "parent_id"):
                record[ref] = msg.get(record[ref])
            record["thread_id"] = thread.get(record["thread_id"])
            rows.append(tuple(sorted(record.items(), key=lambda kv: kv[0])))
        out["messages"] = rows
        out["sources"] = [(msg[m], file_path.get(f), p, loc, k, prov, marks) for m, f, p, loc, k, prov, marks in q("SELECT * FROM sources")]
        out["addresses"] = [(msg[m], role, pos, name, email, red, person.get(p)) for m, role, pos, name, email, red, p in q("SELECT * FROM addresses")]
        out["attachments"] = [(msg[m], *rest) for m, *rest in q("SELECT * FROM attachments")]
        out["redactions"] = [(msg[m], *rest) for m, *rest in q("SELECT * FROM redactions")]
        out["problems"] = [(file_path.get(f), p, loc, reason) for f, p, loc, reason in q("SELECT * FROM problems")]
        out["threads"] = [(msg.get(root), *rest) for _, root, *rest in q("SELECT * FROM threads")]
        out["edges"] = [(msg.get(a), msg.get(b), how) for a, b, how in q("SELECT * FROM edges")]
        out["placeholders"] = [(ref, msg.get(by), thread.get(t)) for ref, by, t in q("SELECT * FROM placeholders")]
        out["people"] = [tuple(rest) for _, *rest in q("SELECT * FROM people")]
        out["documents"] = [(file_path.get(f), *rest) for _, f, *rest in q("SELECT * FROM documents")]
        out["files"] = [(p, size, sha, kind, m, pr) for _, p, size, _, sha, kind, m, pr in q("SELECT * FROM files")]
        out["ocr_pages"] = [(key, text, engine) for key, text, engine, _ in q("SELECT * FROM ocr_pages")]
        return {name: sorted(rows, key=repr) for name, rows in out.items()}
    finally:
        conn.close()


@needs_ocr
def test_an_index_built_on_the_cluster_equals_one_built_here(cluster, tmp_path: Path) -> None:
    subjects = ["Detainer guidance", "County opt-out", "Weekly statistics"]
    dump = _release(tmp_path, subjects)
    local, remote = tmp_path / "local.sqlite", tmp_path / "cluster.sqlite"
    _run("index", dump, "--db", local, "--ocr")
    before = Counter(cluster.task_count.finished)
    proc = _run("index", dump, "--db", remote, "--ocr", "--cluster", cluster.scheduler_address)
    sent = Counter(cluster.task_count.finished) - before
    # the work really ran on the workers: every page, and the files in batches
    assert sent["run_page"] == 4  # our three pages and the sample release's scanned page (two copies, one task)
    assert sent["parse_batch"] >= 2
    assert "Traceback" not in proc.stderr
    here, there = _canonical(local), _canonical(remote)
    assert here.keys() == there.keys()
    for table in here:
        assert there[table] == here[table], table
    assert len(there["ocr_pages"]) == 4
    assert {row[0] for row in there["problems"]} == {row[0] for row in here["problems"]} != set()
    subjects_found = {dict(row)["subject"] for row in there["messages"]}
    assert set(subjects) <= subjects_found

    # The same pages under other names, the cluster named by the environment: no OCR anywhere.
    again = tmp_path / "again"
    shutil.copytree(dump / "scans", again)
    before = Counter(cluster.task_count.finished)
    _run("index", dump, again, "--db", remote, "--ocr", env=dict(os.environ, FOIATOOL_CLUSTER=cluster.scheduler_address))
    sent = Counter(cluster.task_count.finished) - before
    assert sent["run_page"] == 0
    with sqlite3.connect(remote) as conn:
        found = {r[0] for r in conn.execute("SELECT subject FROM messages m JOIN sources s ON s.message = m.id WHERE s.path LIKE ?", (f"{again}%",))}
    assert set(subjects) <= found


@needs_ocr
def test_a_worker_killed_mid_run_loses_nothing(cluster, tmp_path: Path) -> None:
    subjects = [f"Field office report {n}" for n in range(6)]
    scans = tmp_path / "scans"
    scans.mkdir()
    for n in range(0, 6, 2):
        (scans / f"s{n}.pdf").write_bytes(release_pdf([_page(subjects[n]), _page(subjects[n + 1])]))
    db = tmp_path / "index.sqlite"
    proc = subprocess.Popen([str(foiatool_exe()), "index", str(scans), "--db", str(db), "--ocr", "--cluster",
                             cluster.scheduler_address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    scheduler = cluster.scheduler
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline and proc.poll() is None:
        for state in list(scheduler.tasks.values()):
            if key_split(state.key) == "run_page" and state.state == "processing" and state.processing_on is not None:
                victim = state.processing_on.address
                break
        time.sleep(0.05)
    assert victim is not None, "no page was seen running on a worker"
    with Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
    os.kill(pids[victim], signal.SIGKILL)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    with sqlite3.connect(db) as conn:
        found = sorted(r[0] for r in conn.execute("SELECT subject FROM messages"))
        problems = conn.execute("SELECT path, reason FROM problems").fetchall()
        pages = conn.execute("SELECT count(*) FROM ocr_pages").fetchone()[0]
    assert found == sorted(subjects)
    assert problems == []
    assert pages == 6
    with Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)  # the nanny brought the killed worker back for the next test


def test_a_task_that_kills_its_worker_is_run_again_elsewhere(cluster, tmp_path: Path) -> None:
    from foiatool.refresh.cluster import DaskCluster

    def die_once(marker: str) -> str:  # nested: pickled by value, so the workers need not import this module
        path = Path(marker)
        if path.name == "task-0" and not path.exists():
            path.write_text("died")
            os._exit(1)  # as a crash in a C library would: the worker process is gone, the nanny starts another
        time.sleep(0.2)
        return path.name

    markers = [str(tmp_path / f"task-{i}") for i in range(6)]
    with Client(cluster.scheduler_address) as client:
        results = dict(DaskCluster(client=client).run(die_once, markers))
        client.wait_for_workers(2, timeout=60)
    assert results == {m: Path(m).name for m in markers}
    assert Path(markers[0]).read_text() == "died"  # its first try really took its worker down


def test_a_file_that_fails_on_a_worker_is_a_problem_as_locally_and_progress_comes_back(cluster, tmp_path: Path) -> None:
    from foiatool.refresh.cluster import DaskCluster
    from foiatool.refresh.ingest import refresh

    dump = tmp_path / "dump"
    for copy in ("one", "two"):
        shutil.copytree(SAMPLES / "dump", dump / copy)
    (dump / "one" / "broken.eml").write_bytes(b"\x00\xff" * 40)
    (dump / "one" / "empty.mbox").write_bytes(b"")

    class Recorder:
        def __init__(self) -> None:
            self.steps: list[list] = []

        def start(self, total: int, description: str) -> None:
            self.steps.append([description, total, 0])

        def advance(self, n: int = 1) -> None:
            self.steps[-1][2] += n

        def finish(self) -> None:
            pass

    progress = Recorder()
    with Client(cluster.scheduler_address) as client:
        report = refresh([str(dump)], tmp_path / "cluster.sqlite", executor=DaskCluster(client=client), progress=progress)
    local = refresh([str(dump)], tmp_path / "local.sqlite", jobs=1)
    reading = progress.steps[0]
    assert reading[0] == "Reading" and reading[1] == reading[2] == report.files >= 48
    assert report.problem_list == local.problem_list
    assert any(p.path.endswith("broken.eml") for p in report.problem_list)
    assert _canonical(tmp_path / "cluster.sqlite") == _canonical(tmp_path / "local.sqlite")


def test_without_cluster_dask_is_never_imported(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from foiatool.cli import main\n"
        f"sys.argv = ['foiatool', 'index', {str(SAMPLES / 'dump')!r}, '--db', {str(tmp_path / 'i.sqlite')!r}, '-q']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "i.sqlite").exists()


def test_without_the_extra_cluster_says_how_to_install_it(tmp_path: Path) -> None:
    # sys.modules[name] = None is how Python marks a module as not importable.
    script = (
        "import sys\n"
        "sys.modules['distributed'] = None\n"
        "from foiatool.cli import main\n"
        f"sys.argv = ['foiatool', 'index', {str(SAMPLES / 'dump')!r}, '--db', {str(tmp_path / 'i.sqlite')!r}, "
        "'--cluster', 'tcp://127.0.0.1:8786']\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'foiatool[cluster]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "i.sqlite").exists()


def test_a_scheduler_that_cannot_be_reached_is_said_before_anything_is_read(tmp_path: Path) -> None:
    env = dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="1s")
    proc = subprocess.run([str(foiatool_exe()), "index", str(SAMPLES / "dump"), "--db", str(tmp_path / "i.sqlite"),
                           "--cluster", "tcp://127.0.0.1:9"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 3, proc.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "i.sqlite").exists()


@needs_ocr
def test_a_worker_without_tesseract_stops_the_run_and_says_so(tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "a.pdf").write_bytes(release_pdf([_page("Detainer guidance")]))
    db = tmp_path / "index.sqlite"
    bare = tmp_path / "bin"
    bare.mkdir()
    with LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=":0",
                      env={"PATH": str(bare)}) as bare_cluster:
        proc = subprocess.run([str(foiatool_exe()), "index", str(scans), "--db", str(db), "--ocr", "--cluster",
                               bare_cluster.scheduler_address], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 3, proc.stderr
    assert "a worker of the Dask cluster" in proc.stderr and "OCR needs tesseract" in proc.stderr
    assert "Traceback" not in proc.stderr
