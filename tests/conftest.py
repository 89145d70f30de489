from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "cache"


@pytest.fixture
def repo_root():
    return ROOT


@pytest.fixture(autouse=True)
def working_folder(tmp_path, monkeypatch):
    """Every test runs in a folder of its own: the repo root's voices.yaml, which commands
    take without --voices, is in no test's way."""
    monkeypatch.chdir(tmp_path)


SMALL_SCRIPT = (
    "# A Small Book\n\n"
    "## One\n\n"
    "Anna walked in. The room was cold.\n\n"
    '"Hello," said Anna. "Is anyone here?"\n\n'
    '"Only me," Ben said.\n\n'
    "* * *\n\n"
    "Later, they left.\n\n"
    "## Two\n\n"
    '"Goodbye, Ben," she said.\n'
)
SMALL_VOICES = (
    "roles:\n"
    "  narrator: {voice: gmw/en-gb-x-rp, rate: 150}\n"
    "  anna: {name: Anna, gender: female, voice: gmw/en-us+f3, rate: 200, pitch: 60}\n"
    "  ben: {name: Ben, gender: male, voice: gmw/en-us, rate: 120, pitch: 40}\n"
    "pauses: {sentence: 300, paragraph: 700, speaker_change: 450, scene: 1500,"
    " chapter_start: 750, chapter_end: 2000}\n"
)


@pytest.fixture
def small_script(tmp_path):
    path = tmp_path / "small.md"
    path.write_text(SMALL_SCRIPT, encoding="utf-8")
    return path


@pytest.fixture
def small_voices(tmp_path):
    path = tmp_path / "voices.yaml"
    path.write_text(SMALL_VOICES, encoding="utf-8")
    return path


@pytest.fixture
def one_block_per_chapter(monkeypatch):
    """MP3 blocks start only at a chapter's start: every pause in a chapter is then exactly
    as configured, and only the chapter's tail gains the padding to a whole MP3 frame."""
    from audiobook import audio

    monkeypatch.setattr(audio, "BLOCK_EVERY", 2**32 + 1)  # no crc32 but 0 is a multiple


# The padding that ends every block: at least 2 ms, less than one more MP3 frame (26.1 ms).
PAD_MS = (2, 2 + 1152 / 44.1)


def ffmpeg_exe():
    from audiobook import tools

    return tools.ffmpeg()


@pytest.fixture(scope="session")
def ffmpeg():
    return ffmpeg_exe()
