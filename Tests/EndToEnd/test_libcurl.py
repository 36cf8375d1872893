"""The libcurl the binary finds at run time: one older than the oldest supported is refused
with a sentence that names both versions, before any request, with exit 7 (as is one that
cannot be loaded: test_cli.py). `make e2e-oldcurl` runs part of the suite against real older
releases."""

from __future__ import annotations

import shutil
import subprocess

from harness import login_args

# A libcurl.so.4 that exports what indexkey resolves and reports itself as RHEL 8's 7.61.1.
OLD_LIBCURL = r"""
#include <stddef.h>
typedef struct { int age; const char *version; unsigned int version_num; const char *host; int features;
                 const char *ssl_version; } info;
static info old = {0, "7.61.1", 0x073d01, "x86_64-pc-linux-gnu", 0, "OpenSSL/1.1.1k"};
info *curl_version_info(int stamp) { (void)stamp; return &old; }
int curl_global_init(long flags) { (void)flags; return 0; }
void *curl_easy_init(void) { return NULL; }
void curl_easy_cleanup(void *h) { (void)h; }
void curl_easy_reset(void *h) { (void)h; }
int curl_easy_setopt(void *h, int o, ...) { (void)h; (void)o; return 0; }
int curl_easy_getinfo(void *h, int i, ...) { (void)h; (void)i; return 0; }
int curl_easy_perform(void *h) { (void)h; return 0; }
const char *curl_easy_strerror(int code) { (void)code; return ""; }
void *curl_slist_append(void *l, const char *s) { (void)l; (void)s; return NULL; }
void curl_slist_free_all(void *l) { (void)l; }
"""


def test_a_libcurl_older_than_the_minimum_is_refused_by_name(emu, sandbox, tmp_path):
    compiler = shutil.which("cc") or shutil.which("clang")
    assert compiler, "a C compiler is needed to build the stand-in libcurl"
    lib = tmp_path / "lib"
    lib.mkdir()
    (tmp_path / "old.c").write_text(OLD_LIBCURL)
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(lib / "libcurl.so.4"), str(tmp_path / "old.c")], check=True)
    result = sandbox.run(login_args(sandbox, "--write", "shell"),
                         {**sandbox.github_runner_env(), "LD_LIBRARY_PATH": str(lib)})
    assert result.code == 7, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result
    assert "libcurl 7.61.1 is older than 7.76.0, the oldest indexkey supports" in lines[0], result
    assert emu.requests() == []
    assert not sandbox.github_env.read_text()

