"""Solara's front-end files: `install_assets` against a fake npm registry on 127.0.0.1 (no
internet needed), ``orglearn ui --install-assets``, and the UI started without the files
(Solara's CDN, here a local server, provides them, and the command says how to go offline)."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import tarfile
import threading
import urllib.request
from pathlib import Path

import pytest

from orglearn.ui import cli
from orglearn.ui.assets import (
    MARKER,
    REGISTRY_ENV,
    AssetError,
    cdn_dir,
    install_assets,
    missing_assets,
    required_packages,
)
from tests.ui.conftest import DAY, READY_SECONDS, VIEWPORT, Watched
from tests.ui.servers import solara_server, static_server


def tarball(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    """A gzipped tar with these files (and symbolic links: name -> target)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return out.getvalue()


class FakeRegistry:
    """npm's registry API, the part `install_assets` uses: ``/<name>/<version>`` gives the
    metadata, whose ``dist.tarball`` points back at this server."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the base class's name
                registry.requests.append(self.path)
                body = registry.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, spec: str, data: bytes, *, integrity: str | None = None,
                shasum: str | None = None) -> None:
        """Publish ``data`` as the tarball of ``spec``; by default with its sha512 integrity."""
        name, version = spec.rsplit("@", 1)
        path = f"/tarballs/{name.replace('/', '-')}-{version}.tgz"
        self.files[path] = data
        if integrity is None and shasum is None:
            integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
        dist = {"tarball": self.url + path}
        dist.update({k: v for k, v in (("integrity", integrity), ("shasum", shasum)) if v})
        meta = {"name": name, "version": version, "dist": dist}
        self.files[f"/{name.replace('/', '%2F')}/{version}"] = json.dumps(meta).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")  # never through a proxy
    fake = FakeRegistry()
    yield fake
    fake.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".orglearn-partial"))


def test_packages_are_fetched_verified_and_unpacked_once(registry, tmp_path, capsys):
    registry.publish("@fake/vuetify-app@1.2.3", tarball({
        "package/package.json": b'{"name": "@fake/vuetify-app"}',
        "package/dist/fonts.css": b"body {}",
    }))
    old = tarball({"requirejs/require.js": b"var requirejs;"})  # an old top folder name
    registry.publish("requirejs@2.3.6", old, shasum=hashlib.sha1(old).hexdigest())
    dest = tmp_path / "cdn"
    packages = ["@fake/vuetify-app@1.2.3", "requirejs@2.3.6"]

    assert install_assets(dest, packages=packages, registry=registry.url) == packages
    assert (dest / "@fake/vuetify-app@1.2.3/dist/fonts.css").read_bytes() == b"body {}"
    assert (dest / "requirejs@2.3.6/require.js").read_bytes() == b"var requirejs;"
    assert (dest / "@fake/vuetify-app@1.2.3" / MARKER).is_file()
    assert (dest / "requirejs@2.3.6" / MARKER).is_file()
    assert "/@fake%2Fvuetify-app/1.2.3" in registry.requests  # npm's escaped scoped name
    assert leftovers(dest) == []
    err = capsys.readouterr().err
    assert "[1/2] @fake/vuetify-app@1.2.3" in err and "sha512 checksum verified" in err
    assert "sha1 checksum verified" in err

    asked = len(registry.requests)
    assert install_assets(dest, packages=packages, registry=registry.url) == []
    assert len(registry.requests) == asked  # complete packages are not fetched again


def test_an_incomplete_package_folder_is_replaced(registry, tmp_path):
    registry.publish("font-awesome@4.5.0", tarball({"package/css/fa.css": b"new"}))
    stale = tmp_path / "font-awesome@4.5.0"
    (stale / "css").mkdir(parents=True)
    (stale / "css" / "half-written.css").write_text("x")  # no marker: interrupted earlier
    install_assets(tmp_path, packages=["font-awesome@4.5.0"], registry=registry.url)
    assert sorted(p.name for p in (stale / "css").iterdir()) == ["fa.css"]


@pytest.mark.parametrize(
    ("members", "links"),
    [
        ({"package/ok.js": b"1", "package/../../evil.txt": b"owned"}, None),
        ({"package/ok.js": b"1", "/tmp/orglearn-evil.txt": b"owned"}, None),
        ({"package/ok.js": b"1"}, {"package/link": "../../../evil.txt"}),
    ],
    ids=["parent-path", "absolute-path", "link-outside"],
)
def test_an_archive_reaching_outside_its_folder_is_refused(registry, tmp_path, members, links):
    registry.publish("evil@1.0.0", tarball(members, links))
    dest = tmp_path / "cdn"
    with pytest.raises(AssetError, match=r"evil@1\.0\.0: the archive holds an unsafe member"):
        install_assets(dest, packages=["evil@1.0.0"], registry=registry.url)
    assert not (dest / "evil@1.0.0").exists() and leftovers(dest) == []
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/orglearn-evil.txt").exists()


def test_a_download_that_does_not_match_its_checksum_is_refused(registry, tmp_path):
    good = tarball({"package/a.js": b"a"})
    registry.publish("good@1.0.0", good)
    other = base64.b64encode(hashlib.sha512(b"something else").digest()).decode()
    registry.publish("tampered@1.0.0", tarball({"package/a.js": b"b"}), integrity=f"sha512-{other}")
    with pytest.raises(AssetError, match="does not match the registry's sha512 checksum"):
        install_assets(tmp_path, packages=["good@1.0.0", "tampered@1.0.0"],
                       registry=registry.url)
    assert (tmp_path / "good@1.0.0" / MARKER).is_file()  # the one before stays installed
    assert not (tmp_path / "tampered@1.0.0").exists() and leftovers(tmp_path) == []


def test_a_package_without_a_checksum_is_refused(registry, tmp_path):
    registry.publish("bare@1.0.0", tarball({"package/a.js": b"a"}), integrity="md5-AAAA")
    with pytest.raises(AssetError, match="no checksum"):
        install_assets(tmp_path, packages=["bare@1.0.0"], registry=registry.url)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_package_names_the_registry_answer(registry, tmp_path):
    with pytest.raises(AssetError, match=r"nothere@9\.9\.9: .*/nothere/9\.9\.9 answered HTTP 404"):
        install_assets(tmp_path / "cdn", packages=["nothere@9.9.9"], registry=registry.url)
    assert not (tmp_path / "cdn").exists()


def test_offline_is_a_clear_error_and_writes_nothing(registry, tmp_path):
    dead = registry.url
    registry.close()  # nothing listens there any more
    with pytest.raises(AssetError, match="cannot reach .* needs access to the npm registry"):
        install_assets(tmp_path / "cdn", packages=["requirejs@2.3.6"], registry=dead)
    assert not (tmp_path / "cdn").exists()


def test_the_command_installs_what_solara_asks_for(registry, tmp_path, monkeypatch, capsys):
    """``orglearn ui --install-assets`` fills Solara's folder (here moved with Solara's own
    SOLARA_ASSETS_PROXY_CACHE_DIR) from the registry, then `missing_assets` is empty."""
    monkeypatch.setenv("SOLARA_ASSETS_PROXY_CACHE_DIR", str(tmp_path / "cdn"))
    monkeypatch.setenv(REGISTRY_ENV, registry.url)
    assert cdn_dir() == tmp_path / "cdn"
    for spec in required_packages():
        registry.publish(spec, tarball({"package/package.json": spec.encode()}))
    assert missing_assets() == required_packages()
    assert cli.main(["--install-assets"]) == 0
    assert missing_assets() == []
    assert cli.main(["--install-assets"]) == 0
    assert "already installed" in capsys.readouterr().err


def test_the_command_offline_exits_2(registry, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOLARA_ASSETS_PROXY_CACHE_DIR", str(tmp_path / "cdn"))
    monkeypatch.setenv(REGISTRY_ENV, registry.url)
    registry.close()
    assert cli.main(["--install-assets"]) == 2
    err = capsys.readouterr().err
    assert "orglearn ui: error:" in err and "cannot reach" in err
    assert not (tmp_path / "cdn").exists()


def test_the_ui_starts_without_the_files_and_loads_them_from_solaras_cdn(browser, tmp_path):
    """As after ``pip install orglearn``: no front-end files in Solara's folder. The server
    starts, warns on stderr how to go offline, and the page loads its files through Solara's
    CDN proxy (the CDN is a local server here, serving this environment's files). The page
    opens on the baseline with the ``--set`` values."""
    installed = cdn_dir()
    assert missing_assets(installed) == [], "the set-up (orglearn ui --install-assets) did not run"
    empty = tmp_path / "empty-cdn"
    log = tmp_path / "server.log"
    code = ("import sys; from orglearn.ui.cli import main; "
            "sys.exit(main(['--port', sys.argv[1], *sys.argv[2:]]))")
    with static_server(installed) as cdn, solara_server(
        code, log, env={"SOLARA_ASSETS_PROXY_CACHE_DIR": str(empty), "SOLARA_ASSETS_CDN": cdn},
        args=["--set", "population.hoarder_share=0.45"],
    ) as url:
        text = log.read_text()
        assert "orglearn ui --install-assets" in text and "solara_assets" not in text
        assert "not installed in " + str(empty) in text
        with urllib.request.urlopen(url + "_solara/cdn/requirejs@2.3.6/require.js") as answer:
            assert answer.read() == (installed / "requirejs@2.3.6/require.js").read_bytes()

        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            watched = Watched(page)
            page.goto(url)
            page.get_by_text(DAY).wait_for(timeout=READY_SECONDS * 1000)
            page.get_by_text("--set population.hoarder_share=0.45").wait_for()
            hoarders = page.locator(".orglearn-control-hoarders")
            assert hoarders.get_by_text("Knowledge hoarders: 45%").is_visible()
            assert watched.failed == [] and watched.external == []
        finally:
            context.close()
    assert (empty / "requirejs@2.3.6" / "require.js").is_file()  # the proxy kept what it fetched
