"""tests/metadata_compare.py, which test_migrate.py and the real-projects harness use to check
that a migrated project's wheel says what the original wheel says: the differences it
forgives (each the same fact written another way, or the cffi requirement's PyPy marker) and
the ones it must report.

Every "reported" case below is one edit of a converted METADATA that compares equal to the
original, and must come out as exactly one difference, of the field it edits.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.metadata_compare import DistInfo, metadata_differences, metadata_text_differences

#: As a setup.py build writes it.
ORIGINAL = """\
Metadata-Version: 2.1
Name: soundfile
Version: 0.13.1
Summary: An audio library based on libsndfile, CFFI and NumPy
Home-page: https://github.com/bastibe/python-soundfile
Download-URL: https://example.org/soundfile/releases
Author: Bastian Bechtold
Author-email: basti@bastibe.de
Maintainer: Ada
Maintainer-email: ada@example.org
License: BSD 3-Clause License
Keywords: audio,libsndfile
Platform: any
Classifier: Development Status :: 5 - Production/Stable
Classifier: License :: OSI Approved :: BSD License
Classifier: Programming Language :: Python :: Implementation :: PyPy
Description-Content-Type: text/x-rst
License-File: LICENSE
Requires-Dist: cffi>=1.0
Requires-Dist: numpy
Requires-Dist: pytest; extra == "test"
Provides-Extra: numpy
Provides-Extra: test
Dynamic: author
Dynamic: home-page

python-soundfile
================
"""

#: The same project as a pyproject.toml build writes it: the same facts, other encodings.
CONVERTED = """\
Metadata-Version: 2.4
Name: soundfile
Version: 0.13.1
Summary: An audio library based on libsndfile, CFFI and NumPy
Author-email: Bastian Bechtold <basti@bastibe.de>
Maintainer-email: Ada <ada@example.org>
License: BSD 3-Clause License
Project-URL: homepage, https://github.com/bastibe/python-soundfile
Project-URL: Download, https://example.org/soundfile/releases
Keywords: audio,libsndfile
Platform: any
Classifier: License :: OSI Approved :: BSD License
Classifier: Development Status :: 5 - Production/Stable
Classifier: Programming Language :: Python :: Implementation :: PyPy
Description-Content-Type: text/x-rst
License-File: LICENSE
Requires-Dist: numpy
Requires-Dist: cffi>=1.0; platform_python_implementation != "PyPy"
Requires-Dist: pytest; extra == "test"
Provides-Extra: test
Provides-Extra: numpy
Dynamic: license-file

python-soundfile
================

"""

ENTRY_POINTS = "[console_scripts]\nsf = soundfile.cli:main\n\n[soundfile.plugins]\nwav = sf:w\n"
#: The same entry points: groups in another order, no spaces around "=".
ENTRY_POINTS_REORDERED = "[soundfile.plugins]\nwav=sf:w\n[console_scripts]\nsf=soundfile.cli:main\n"

CFFI = "Requires-Dist: cffi>=1.0\n"
CFFI_NOT_PYPY = 'Requires-Dist: cffi>=1.0; platform_python_implementation != "PyPy"\n'


def _edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def _converted(old: str, new: str) -> str:
    return _edit(CONVERTED, old, new)


def _original(old: str, new: str) -> str:
    return _edit(ORIGINAL, old, new)


def test_the_same_facts_said_another_way_are_no_difference() -> None:
    """Metadata-Version, Dynamic, Home-page and Download-URL as Project-URLs, Author and
    Maintainer with their addresses, the PyPy marker added to cffi, the order of
    classifiers, requirements and extras, whitespace after the description; entry points
    in another order and spacing."""
    assert metadata_text_differences(ORIGINAL, ORIGINAL) == []
    assert metadata_text_differences(ORIGINAL, CONVERTED) == []
    assert metadata_differences(DistInfo(ORIGINAL, ENTRY_POINTS),
                                DistInfo(CONVERTED, ENTRY_POINTS_REORDERED)) == []


@pytest.mark.parametrize(("original", "converted"), [
    pytest.param(ORIGINAL, _converted(CFFI_NOT_PYPY, CFFI), id="cffi-unmarked-as-before"),
    pytest.param(_original(CFFI, 'Requires-Dist: cffi>=1.0; python_version >= "3"\n'),
                 _converted(CFFI_NOT_PYPY, 'Requires-Dist: cffi>=1.0; python_version >= "3" '
                            'and platform_python_implementation != "PyPy"\n'),
                 id="not-pypy-and-ed-after-the-marker"),
    pytest.param(_original(CFFI, 'Requires-Dist: cffi>=1.0; python_version >= "3"\n'),
                 _converted(CFFI_NOT_PYPY, 'Requires-Dist: cffi>=1.0; platform_python_'
                            'implementation != "PyPy" and python_version >= "3"\n'),
                 id="not-pypy-and-ed-before-the-marker"),
    pytest.param(_original(CFFI, 'Requires-Dist: cffi>=1.0; os_name == "nt" or '
                           'sys_platform == "linux"\n'),
                 _converted(CFFI_NOT_PYPY, 'Requires-Dist: cffi>=1.0; (os_name == "nt" or '
                            'sys_platform == "linux") and platform_python_implementation '
                            '!= "PyPy"\n'),
                 id="not-pypy-and-ed-after-parentheses"),
    pytest.param(_original(CFFI, ""), CONVERTED, id="cffi-added-for-cpython"),
    pytest.param(_original(CFFI, 'Requires-Dist: cffi>=1.0; extra == "test"\n'),
                 _converted(CFFI_NOT_PYPY, f'Requires-Dist: cffi>=1.0; extra == "test"\n'
                            f"{CFFI_NOT_PYPY}"),
                 id="cffi-added-beside-an-extras-one"),
    pytest.param(ORIGINAL, _converted("License: BSD 3-Clause License",
                                      "License-Expression: BSD 3-Clause License"),
                 id="license-expression"),
    pytest.param(ORIGINAL, _converted("Project-URL: homepage, ", "Project-URL: Home-page, "),
                 id="url-label-normalised"),
    pytest.param(_original("Description-Content-Type: text/x-rst\n", ""),
                 _converted("Description-Content-Type: text/x-rst\n",
                            "Description-Content-Type: text/markdown\n"),
                 id="description-content-type-added"),
])
def test_forgiven(original: str, converted: str) -> None:
    assert metadata_text_differences(original, converted) == []


def test_several_authors_are_paired_in_order() -> None:
    original = _original("Author: Bastian Bechtold\nAuthor-email: basti@bastibe.de",
                         "Author: Bastian Bechtold, Eve\nAuthor-email: basti@bastibe.de, "
                         "eve@example.org")
    converted = _converted("Author-email: Bastian Bechtold <basti@bastibe.de>",
                           "Author-email: Bastian Bechtold <basti@bastibe.de>, "
                           "Eve <eve@example.org>")
    assert metadata_text_differences(original, converted) == []
    assert metadata_text_differences(original, CONVERTED) == [
        "authors: lost [('Eve', 'eve@example.org')], added []"]


def test_an_added_cffi_requirement_is_forgiven_only_with_the_pypy_marker() -> None:
    original = _original(CFFI, "")
    assert metadata_text_differences(original, _converted(CFFI_NOT_PYPY, CFFI)) == [
        "requires_dist: lost [], added ['cffi>=1.0']"]


def test_an_and_ed_marker_must_keep_its_meaning() -> None:
    """``a or b and NOT_PYPY`` is ``a or (b and NOT_PYPY)``: not the original's marker with
    NOT_PYPY added."""
    original = _original(CFFI, 'Requires-Dist: cffi>=1.0; os_name == "nt" or '
                         'sys_platform == "linux"\n')
    converted = _converted(CFFI_NOT_PYPY, 'Requires-Dist: cffi>=1.0; os_name == "nt" or '
                           'sys_platform == "linux" and platform_python_implementation '
                           '!= "PyPy"\n')
    diffs = metadata_text_differences(original, converted)
    assert [d.split(":")[0] for d in diffs] == ["requires_dist"], diffs


@pytest.mark.parametrize(("old", "new", "field"), [
    ("Summary: An audio library", "Summary: A sound library", "summary"),
    ("Classifier: Development Status :: 5 - Production/Stable\n", "", "classifiers"),
    ("Requires-Dist: numpy\n", "", "requires_dist"),
    ("Requires-Dist: numpy", "Requires-Dist: numpy>=2", "requires_dist"),
    (CFFI_NOT_PYPY, "", "requires_dist"),
    (CFFI_NOT_PYPY, "Requires-Dist: cffi>=0.9\n", "requires_dist"),
    (CFFI_NOT_PYPY, CFFI_NOT_PYPY.replace("1.0", "1.1"), "requires_dist"),
    (CFFI_NOT_PYPY, 'Requires-Dist: cffi>=1.0; sys_platform != "win32"\n', "requires_dist"),
    ('Requires-Dist: pytest; extra == "test"\n', "", "requires_dist"),
    ("Provides-Extra: numpy\n", "", "provides_extra"),
    ("Project-URL: homepage, https://github.com/bastibe/python-soundfile\n", "",
     "project_urls"),
    ("https://github.com/bastibe/python-soundfile", "https://example.org", "project_urls"),
    ("Project-URL: homepage, ", "Project-URL: Source, ", "project_urls"),
    ("Project-URL: Download, https://example.org/soundfile/releases\n", "", "project_urls"),
    ("Bastian Bechtold <basti", "B. Bechtold <basti", "authors"),
    ("Ada <ada@example.org>", "Ada <ada@example.com>", "maintainers"),
    ("License: BSD 3-Clause License", "License: BSD", "license"),
    ("Platform: any\n", "", "platforms"),
    ("Keywords: audio,libsndfile", "Keywords: audio", "keywords"),
    ("Version: 0.13.1", "Version: 0.13.2", "version"),
    ("python-soundfile\n=", "soundfile\n=", "description"),
    ("Description-Content-Type: text/x-rst\n", "", "description_content_type"),
    ("text/x-rst", "text/markdown", "description_content_type"),
    ("Summary:", "Requires-Python: >=3.9\nSummary:", "requires_python"),
])
def test_real_differences_are_reported(old: str, new: str, field: str) -> None:
    diffs = metadata_text_differences(ORIGINAL, _converted(old, new))
    assert [d.split(":")[0] for d in diffs] == [field], diffs


@pytest.mark.parametrize("entry_points", [
    pytest.param("[console_scripts]\nsf = soundfile.cli:main\n", id="lost"),
    pytest.param(ENTRY_POINTS.replace("soundfile.cli:main", "soundfile.cli:run"), id="changed"),
])
def test_entry_point_differences_are_reported(entry_points: str) -> None:
    diffs = metadata_differences(DistInfo(ORIGINAL, ENTRY_POINTS),
                                 DistInfo(CONVERTED, entry_points))
    assert [d.split(":")[0] for d in diffs] == ["entry_points"], diffs


def test_dist_info_from_wheels(tmp_path: Path) -> None:
    wheel = tmp_path / "soundfile-0.13.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("soundfile.py", "")
        zf.writestr("soundfile-0.13.1.dist-info/METADATA", ORIGINAL)
        zf.writestr("soundfile-0.13.1.dist-info/entry_points.txt", ENTRY_POINTS)
    assert DistInfo.from_wheel(wheel) == DistInfo(ORIGINAL, ENTRY_POINTS)
    shutil.copy(wheel, tmp_path / "copy.whl")
    assert metadata_differences(DistInfo.from_wheel(wheel),
                                DistInfo.from_wheel(tmp_path / "copy.whl")) == []
