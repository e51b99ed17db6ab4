"""The one door every file read goes through (``pytest_serverless_arch.files``)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_serverless_arch import files
from pytest_serverless_arch.files import UnreadableFile, confine, decode_text, read_bytes, read_text


def refusal(path: Path, root: Path, **options: int) -> tuple[str, str, str]:
    with pytest.raises(UnreadableFile) as caught:
        read_text(path, root, **options)
    return caught.value.path, caught.value.cause, caught.value.reason


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("CANARY-outside\n")
    return root


def test_a_regular_file_inside_the_repository_is_read(repo):
    (repo / "a").mkdir()
    (repo / "a" / "template.yaml").write_text("Resources: {}\n")
    assert read_text(repo / "a" / "template.yaml", repo) == "Resources: {}\n"


def test_a_symlink_inside_the_repository_is_followed(repo):
    (repo / "real.yaml").write_text("x: 1\n")
    (repo / "link.yaml").symlink_to("real.yaml")
    assert read_bytes(repo / "link.yaml", repo) == b"x: 1\n"
    assert confine(repo / "link.yaml", repo) == (repo / "real.yaml").resolve()


def test_a_symlink_out_of_the_repository_is_refused_without_reading_it(repo):
    (repo / "terraform.tfvars").symlink_to(repo.parent / "secret.txt")
    assert refusal(repo / "terraform.tfvars", repo) == (
        "terraform.tfvars",
        "outside",
        "resolves outside the repository; not read",
    )


def test_a_folder_symlink_out_of_the_repository_is_refused(repo):
    (repo / "sub").symlink_to(repo.parent, target_is_directory=True)
    assert refusal(repo / "sub" / "secret.txt", repo)[1] == "outside"


def test_dot_dot_out_of_the_repository_is_refused_even_when_the_file_is_missing(repo):
    assert refusal(repo / ".." / "nothing.yaml", repo) == (
        "../nothing.yaml",
        "outside",
        "resolves outside the repository; not read",
    )


def test_a_symlink_loop_is_refused_as_a_loop(repo):
    (repo / "loop.yaml").symlink_to("loop.yaml")
    assert refusal(repo / "loop.yaml", repo) == ("loop.yaml", "loop", "is a symlink loop (or too many symlinks); not read")


def test_a_missing_file_is_refused_as_missing(repo):
    assert refusal(repo / "gone.yaml", repo) == ("gone.yaml", "missing", "does not exist")


def test_a_fifo_is_refused_without_blocking(repo):
    os.mkfifo(repo / "template.yaml")
    assert refusal(repo / "template.yaml", repo) == (
        "template.yaml",
        "special",
        "is a FIFO (named pipe), not a regular file; not read",
    )


@pytest.mark.skipif(not hasattr(os, "mknod") or os.geteuid() != 0, reason="creating a device node needs root")
def test_a_device_node_is_refused_without_reading_it(repo):
    try:
        os.mknod(repo / "template.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero
    except PermissionError:
        pytest.skip("this container may not create device nodes")
    assert refusal(repo / "template.yaml", repo) == (
        "template.yaml",
        "special",
        "is a character device, not a regular file; not read",
    )


def test_a_directory_is_refused_as_not_a_regular_file(repo):
    (repo / "folder.yaml").mkdir()
    assert refusal(repo / "folder.yaml", repo)[1:] == ("special", "is a directory, not a regular file; not read")


def test_a_file_over_the_limit_is_refused_before_it_is_read(repo):
    (repo / "big.json").write_bytes(b"[" + b"1," * 100 + b"1]")
    assert refusal(repo / "big.json", repo, limit=100) == (
        "big.json",
        "too-large",
        "is too large (203 bytes; files over 100 bytes are not read)",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its mode")
def test_a_file_without_read_permission_is_refused_as_a_permission_problem(repo):
    (repo / "locked.yaml").write_text("x: 1\n")
    (repo / "locked.yaml").chmod(0)
    assert refusal(repo / "locked.yaml", repo)[1:] == ("permission", "cannot be read: permission denied")


def test_a_nul_byte_in_a_name_is_refused_not_raised_as_a_value_error(repo):
    assert refusal(repo / "a\x00b.yaml", repo) == ("a\\x00b.yaml", "unreadable", "has a NUL byte in its name; not read")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_text_is_decoded_with_or_without_a_byte_order_mark(encoding):
    assert decode_text("Resources:\n  Q: {Type: 'AWS::SQS::Queue'}\n".encode(encoding)) == (
        "Resources:\n  Q: {Type: 'AWS::SQS::Queue'}\n"
    )


def test_bytes_that_are_not_utf8_are_refused_at_their_line():
    with pytest.raises(UnreadableFile) as caught:
        decode_text(b"a: 1\nb: caf\xe9\n", "t.yaml")
    assert (caught.value.line, caught.value.reason, caught.value.message) == (
        2,
        "is not UTF-8 text (byte 0xe9)",
        "not UTF-8 text (byte 0xe9)",
    )


def test_a_nul_character_in_text_is_refused_at_its_line():
    with pytest.raises(UnreadableFile) as caught:
        decode_text(b"a: 1\nb: \x00\n", "t.yaml")
    assert (caught.value.line, caught.value.reason) == (2, "is not text (a NUL character)")


def test_a_root_that_is_a_symlink_is_resolved_again_when_it_points_to_another_folder(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        (folder / "template.yaml").write_text(f"Description: {folder.name}\n")
    root = tmp_path / "root"
    root.symlink_to(first)
    assert read_text(root / "template.yaml", root) == "Description: first\n"
    root.unlink()
    root.symlink_to(second)
    # the real root remembered for `first` must not be used: `second` is the repository now, `first` is outside
    assert confine(root / "template.yaml", root) == (second / "template.yaml").resolve()
    assert refusal(first / "template.yaml", root)[1:] == ("outside", "resolves outside the repository; not read")


def test_a_root_folder_renamed_and_replaced_is_resolved_again(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "template.yaml").write_text("x: 1\n")
    assert read_text(root / "template.yaml", root) == "x: 1\n"
    root.rename(tmp_path / "moved")
    (tmp_path / "moved").joinpath("template.yaml").write_text("x: 2\n")
    root.symlink_to(tmp_path / "moved")  # the same folder, now reached through a symlink at the old name
    assert confine(root / "template.yaml", root) == (tmp_path / "moved" / "template.yaml").resolve()
    assert read_text(root / "template.yaml", root) == "x: 2\n"


def test_a_relative_root_is_resolved_against_the_working_folder_of_each_call(tmp_path, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / name / "repo").mkdir(parents=True)
        (tmp_path / name / "repo" / "template.yaml").write_text(f"x: {name}\n")
    monkeypatch.chdir(tmp_path / "a")
    assert confine(Path("repo") / "template.yaml", "repo") == (tmp_path / "a" / "repo" / "template.yaml").resolve()
    monkeypatch.chdir(tmp_path / "b")
    assert confine(Path("repo") / "template.yaml", "repo") == (tmp_path / "b" / "repo" / "template.yaml").resolve()


def test_a_folder_moved_out_and_linked_back_at_its_old_name_is_resolved_again(repo):
    (repo / "sub").mkdir()
    (repo / "sub" / "template.yaml").write_text("x: 1\n")
    assert read_text(repo / "sub" / "template.yaml", repo) == "x: 1\n"
    (repo / "sub").rename(repo.parent / "moved")
    (repo / "sub").symlink_to(repo.parent / "moved", target_is_directory=True)
    # the real path remembered for the folder `sub` must not be used: it now leads out of the repository
    assert refusal(repo / "sub" / "template.yaml", repo)[1:] == ("outside", "resolves outside the repository; not read")


def test_confining_gives_what_realpath_gives_for_dot_dot_after_a_symlink(repo):
    (repo / "a" / "b").mkdir(parents=True)
    (repo / "a" / "x.yaml").write_text("x: a\n")
    (repo / "x.yaml").write_text("x: root\n")
    (repo / "link").symlink_to(repo / "a" / "b", target_is_directory=True)
    # `link/..` is `a` (where the link leads), not the repository root (what the name says)
    assert confine(repo / "link" / ".." / "x.yaml", repo) == (repo / "a" / "x.yaml").resolve()


# --- the stat index: a file read before is not read again while stat says it is the same file ---------


def _aged(path: Path, seconds: float = 60) -> None:
    """Set ``path``'s modification time back, as a file written a while ago (its change time stays: see below)."""
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - int(seconds * 1e9)))


def _read_logged(path: Path, root: Path) -> files.FileRead:
    with files.recording() as log:
        read_bytes(path, root)
    [read] = [read for read in log if read.what == "bytes"]
    return read


@pytest.fixture
def clock_ahead(monkeypatch):
    """Reads happen a minute later than the clock says: files written in this test are not racy."""
    real = files.time.time_ns
    monkeypatch.setattr(files.time, "time_ns", lambda: real() + 60_000_000_000)


def test_a_file_read_long_after_it_was_written_gets_a_stamp_and_is_not_read_again(repo, clock_ahead, monkeypatch):
    path = repo / "template.yaml"
    path.write_text("Resources: {}\n")
    read = _read_logged(path, repo)
    info = path.stat()
    assert read.stamp == (14, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, info.st_mode)
    monkeypatch.setattr(files, "_read_stamped", lambda *args: pytest.fail("read again"))
    assert files.reobserve(read, repo) is read


def test_a_file_written_just_before_it_was_read_gets_no_stamp_and_is_read_again(repo):
    path = repo / "template.yaml"
    path.write_text("Resources: {}\n")
    read = _read_logged(path, repo)
    assert read.stamp is None
    path.write_text("Resources: []\n")  # the same size, perhaps in the same tick of the file system's clock
    assert files.observe(read, repo) != read.outcome == files.digest(b"Resources: {}\n")


def test_an_edit_keeping_the_size_and_the_modification_time_is_seen_by_its_change_time(repo, clock_ahead):
    path = repo / "template.yaml"
    path.write_text("Resources: {}\n")
    read = _read_logged(path, repo)
    assert read.stamp is not None
    before = path.stat()
    path.write_text("Resources: []\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time moves all the same
    again = files.reobserve(read, repo)
    assert again.outcome == files.digest(b"Resources: []\n") and again.stamp != read.stamp


def test_a_touch_without_a_change_reads_the_file_again_and_gives_the_same_digest_with_a_new_stamp(repo, clock_ahead):
    path = repo / "template.yaml"
    path.write_text("Resources: {}\n")
    read = _read_logged(path, repo)
    _aged(path, 30)
    again = files.reobserve(read, repo)
    assert again.outcome == read.outcome and again.stamp not in (None, read.stamp)


def test_a_file_replaced_by_a_renamed_one_of_the_same_size_is_read_again(repo, clock_ahead):
    path, other = repo / "template.yaml", repo / "other.yaml"
    path.write_text("Resources: {}\n")
    other.write_text("Resources: []\n")
    read = _read_logged(path, repo)
    os.utime(other, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    other.rename(path)  # another inode at the same name
    assert files.observe(read, repo) == files.digest(b"Resources: []\n")


def test_a_deleted_file_is_a_refusal_whatever_its_stamp(repo, clock_ahead):
    path = repo / "template.yaml"
    path.write_text("Resources: {}\n")
    read = _read_logged(path, repo)
    path.unlink()
    assert files.observe(read, repo) == "!missing:0:does not exist"


def test_a_walk_records_each_folder_and_sees_a_new_file_and_a_file_turned_folder(repo):
    (repo / "a").mkdir()
    (repo / "a" / "template.yaml").write_text("x: 1\n")
    with files.recording() as log:
        walked = [(Path(folder).name, sorted(dirnames), sorted(names)) for folder, dirnames, names in files.walk(repo, repo)]
    assert walked == [("repo", ["a"], []), ("a", [], ["template.yaml"])]
    reads = {Path(read.path).name: read for read in log if read.what == "walk"}
    assert all(files.observe(read, repo) == read.outcome for read in reads.values())
    (repo / "a" / "new.yaml").write_text("x: 2\n")
    assert files.observe(reads["a"], repo) != reads["a"].outcome
    assert files.observe(reads["repo"], repo) == reads["repo"].outcome
    (repo / "b").write_text("")
    before = files.observe(reads["repo"], repo)
    (repo / "b").unlink()
    (repo / "b").mkdir()  # the same names, but `b` is a folder now
    assert files.observe(reads["repo"], repo) != before


def _observed(act: Callable[[], object]) -> tuple[object, list[tuple[object, ...]]]:
    """What ``act`` returns (or the refusal it raises), and every observation it recorded."""
    with files.recording() as log:
        try:
            got = act()
        except UnreadableFile as exc:
            got = ("refused", exc.path, exc.cause, exc.reason, exc.line)
    return got, [(read.what, read.path, read.outcome, read.limit, read.stamp) for read in log]


@pytest.fixture
def listed_repo(repo: Path) -> Path:
    """A folder of every kind of name a walk lists, and a folder that is a symlink out of the repository."""
    root = repo.resolve()
    folder = root / "a"
    folder.mkdir()
    (folder / "template.yaml").write_text("Resources: {}\n")
    (root / "real.yaml").write_text("x: 1\n")
    (folder / "link.yaml").symlink_to("../real.yaml")
    (folder / "out.yaml").symlink_to(root.parent / "secret.txt")
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "dangling.yaml").symlink_to("nothing.yaml")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "dir.yaml").mkdir()
    (folder / "name..yaml").write_text("y: 2\n")
    (folder / "big.yaml").write_text("z" * 100)
    (root / "outlink").symlink_to(root.parent, target_is_directory=True)
    for path in (folder / "template.yaml", root / "real.yaml", folder / "name..yaml", folder / "big.yaml"):
        _aged(path)
    return root


LISTED = [
    ("a", name)
    for name in (
        "template.yaml",
        "link.yaml",
        "out.yaml",
        "loop.yaml",
        "dangling.yaml",
        "fifo.yaml",
        "dir.yaml",
        "name..yaml",
        "big.yaml",
    )
] + [("a", "gone.yaml"), ("outlink", "secret.txt"), ("outlink", "gone.yaml")]


@pytest.mark.parametrize(("folder", "name"), LISTED)
def test_a_listed_name_is_confined_and_recorded_as_confine_confines_its_path(listed_repo, folder, name):
    directory = str(listed_repo / folder)
    files.forget_folders()
    expected = _observed(lambda: str(confine(os.path.join(directory, name), listed_repo)))
    files.forget_folders()
    assert _observed(lambda: files.confine_listed(directory, name, files.walk_root(listed_repo))) == expected
    # and again with the folder's real path remembered from the first
    assert _observed(lambda: files.confine_listed(directory, name, files.walk_root(listed_repo))) == expected


@pytest.mark.parametrize(("folder", "name"), LISTED)
@pytest.mark.parametrize("limit", [None, 50])
def test_a_confined_path_is_read_and_recorded_as_read_bytes_reads_it(listed_repo, clock_ahead, folder, name, limit):
    path = os.path.join(listed_repo, folder, name)

    def confined_then(read: Callable[[str], bytes]) -> Callable[[], object]:
        return lambda: read(str(confine(path, listed_repo)))

    expected = _observed(confined_then(lambda real: read_bytes(real, listed_repo, limit=limit)))
    assert _observed(confined_then(lambda real: files.read_confined(real, listed_repo, limit=limit))) == expected


def test_big_and_fifo_and_folder_names_are_refused_by_read_confined_with_read_bytes_reasons(listed_repo):
    refusals = {}
    for name in ("big.yaml", "fifo.yaml", "dir.yaml"):
        real = files.confine_listed(str(listed_repo / "a"), name, files.walk_root(listed_repo))
        with pytest.raises(UnreadableFile) as caught:
            files.read_confined(real, listed_repo, limit=50)
        refusals[name] = (caught.value.path, caught.value.cause, caught.value.reason)
    assert refusals == {
        "big.yaml": ("a/big.yaml", "too-large", "is too large (100 bytes; files over 50 bytes are not read)"),
        "fifo.yaml": ("a/fifo.yaml", "special", "is a FIFO (named pipe), not a regular file; not read"),
        "dir.yaml": ("a/dir.yaml", "special", "is a directory, not a regular file; not read"),
    }


def test_a_folders_real_path_is_realpaths_through_symlinked_parents_and_after_a_link_is_retargeted(tmp_path):
    from pytest_serverless_arch.files import _real_folder, forget_folders

    for folder in ("a/b/c", "x/b/c"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "b" / "up").symlink_to(tmp_path / "x")
    forget_folders()
    asked = ["a/b/c", "link/b/c", "link/b", "a/b/up/b/c", "link"]
    assert [_real_folder(str(tmp_path / each)) for each in asked] == [
        os.path.realpath(tmp_path / each, strict=True) for each in asked
    ]
    (tmp_path / "link").unlink()
    (tmp_path / "link").symlink_to(tmp_path / "x")  # the same name, another folder: resolved again
    assert _real_folder(str(tmp_path / "link" / "b" / "c")) == os.path.realpath(tmp_path / "x" / "b" / "c")
    forget_folders()


def test_a_folder_hundreds_of_levels_deep_has_its_real_path_without_deep_recursion(tmp_path):
    from pytest_serverless_arch.files import _real_folder, forget_folders

    deep = tmp_path / "/".join(["d"] * 600)
    deep.mkdir(parents=True)
    forget_folders()
    # realpath's answer for the deepest folder, and for one taken from its parent's (which took it from realpath)
    assert _real_folder(str(deep)) == os.path.realpath(deep, strict=True)
    (deep / "e").mkdir()
    assert _real_folder(str(deep / "e")) == os.path.realpath(deep / "e", strict=True)
    forget_folders()
