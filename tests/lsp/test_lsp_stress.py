"""The editor under stress, end to end on a real ``auditls serve`` (VS Code's profile): a large
buffer is analysed off the request path with progress while other requests are answered; a
scripted client (fixed seed, bounded) types fast in many documents, closes and reopens them,
cancels requests, changes settings mid-index and sends malformed messages, and every published
diagnostic matches the version it claims, never an older one after a newer.

Each document's text says how many findings it has: version ``v`` of any document holds
``expected(v)`` ``eval`` calls, so a publication can be checked against its version alone.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from .helpers import DEADLINE, LARGE_DEADLINE, SERVER, AuditClient, make_client

PROFILE = "visual-studio-code"
#: A function without findings, repeated to make a buffer large.
FILLER = "def quiet_{n}(a, b):\n    total = a + b\n    return total * {n}\n\n\n"


def expected(version: int) -> int:
    return version % 4 + 1


def text_of(version: int, filler: int = 0) -> str:
    head = "".join(FILLER.format(n=n) for n in range(filler))
    calls = "".join(f"    eval(code_{i})\n" for i in range(expected(version)))
    return f"{head}def run(code_0, code_1, code_2, code_3):\n{calls}"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: AuditClient, tmp_path: Path) -> AsyncIterator[None]:
    root = (tmp_path / "ws").resolve()
    (root / "pkg").mkdir(parents=True)
    for i in range(30):
        (root / "pkg" / f"m{i:02}.py").write_text(text_of(i, filler=40))
    lsp_client.root = root
    lsp_client.profile = PROFILE
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(PROFILE),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options={"debounce": 5},
        )
    )
    yield
    await lsp_client.shutdown_session()


def hover_params(uri: str, line: int = 0) -> types.HoverParams:
    return types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=4),
    )


def aud101(diagnostics: Any) -> int:
    return sum(1 for d in diagnostics if d.code == "AUD101")


async def test_a_large_buffer_is_analysed_off_the_request_path(client: AuditClient) -> None:
    big = text_of(2, filler=25_000)  # about 1.7 MB
    assert len(big) > 1_000_000
    small = client.open("small.py", text_of(1), version=1)
    await client.diagnostics_for(small, lambda d: aud101(d) == expected(1), "small.py", version=1)
    big_uri = client.open("big.py", big, version=2)
    # Meanwhile other requests are answered, before the large buffer's diagnostics.
    for _ in range(5):
        hover = await asyncio.wait_for(
            client.text_document_hover_async(hover_params(small, 1)), DEADLINE
        )
        assert hover is not None
        [status] = await asyncio.wait_for(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="auditls.showIndexStatus")
            ),
            DEADLINE,
        )
        assert status["root"] == str(client.root)
        assert big_uri not in client.diagnostics
    # A hover on the large buffer does not wait for its analysis either.
    await asyncio.wait_for(client.text_document_hover_async(hover_params(big_uri)), DEADLINE)
    assert big_uri not in client.diagnostics
    await client.diagnostics_for(
        big_uri,
        lambda d: aud101(d) == expected(2),
        "big.py's findings",
        version=2,
        timeout=LARGE_DEADLINE,
    )
    [reports] = [
        r
        for r in client.progress_reports.values()
        if r
        and isinstance(r[0], types.WorkDoneProgressBegin)
        and r[0].title == "auditls: analysing"
    ]
    assert "big.py" in (reports[0].message or "")
    await client.until(
        lambda: isinstance(reports[-1], types.WorkDoneProgressEnd),
        "the progress to end",
        LARGE_DEADLINE,
    )
    # An edit of the large buffer: analysed again, published for its version.
    client.replace("big.py", text_of(3, filler=25_000), version=3)
    await client.diagnostics_for(
        big_uri,
        lambda d: aud101(d) == expected(3),
        "the edit's findings",
        version=3,
        timeout=LARGE_DEADLINE,
    )


async def test_the_editor_under_stress(client: AuditClient) -> None:
    rnd = random.Random(1616)
    docs = [f"open/d{i}.py" for i in range(8)]
    version = dict.fromkeys(docs, 0)
    is_open = dict.fromkeys(docs, False)
    sent_versions: dict[str, list[int]] = {client.uri(d): [] for d in docs}
    writer = client.protocol.writer
    assert writer is not None
    answers: list[asyncio.Future[Any]] = []

    def bump(doc: str) -> int:
        version[doc] += 1
        sent_versions[client.uri(doc)].append(version[doc])
        return version[doc]

    for doc in docs:
        client.open(doc, text_of(bump(doc)), version=version[doc])
        is_open[doc] = True
    for step in range(400):
        doc = rnd.choice(docs)
        roll = rnd.random()
        if not is_open[doc]:
            client.open(doc, text_of(bump(doc)), version=version[doc])  # reopened, newer
            is_open[doc] = True
        elif roll < 0.55:
            client.replace(doc, text_of(bump(doc)), version=version[doc])
        elif roll < 0.62:
            client.close(doc)
            is_open[doc] = False
        elif roll < 0.72:  # a request, mostly cancelled at once
            msg_id = f"hover-{step}"
            params = hover_params(client.uri(doc), rnd.randrange(6))
            answers.append(
                client.protocol.send_request_async(types.TEXT_DOCUMENT_HOVER, params, msg_id)
            )
            if rnd.random() < 0.7:
                client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
        elif roll < 0.77:  # a bad range: dropped, and the document keeps its version
            writer.write(bad_change(client.uri(doc), version[doc] + 1))
        elif roll < 0.82:
            writer.write(frame(b'{"jsonrpc": "2.0", "method": "textDocument/didChange", '))
            writer.write(frame(b"\xff\xfe not json"))
        elif roll < 0.86:  # unknown documents
            ghost = client.uri(f"ghost/g{step}.py")
            client.replace(f"ghost/g{step}.py", "eval(x)\n", version=2)
            answers.append(client.text_document_hover_async(hover_params(ghost)))
        elif roll < 0.90:
            client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(
                    settings={"auditls": {"debounce": rnd.choice([0, 5, 30])}}
                )
            )
        elif step == 150:  # a 5 MB buffer, once
            big = text_of(bump(doc), filler=75_000)
            client.replace(doc, big, version=version[doc])
        else:
            answers.append(
                client.text_document_code_action_async(
                    types.CodeActionParams(
                        text_document=types.TextDocumentIdentifier(uri=client.uri(doc)),
                        range=types.Range(
                            start=types.Position(line=99, character=0),
                            end=types.Position(line=200, character=3),
                        ),
                        context=types.CodeActionContext(diagnostics=[]),
                    )
                )
            )
    # Every request is answered (a result or an error), within the deadline.
    results = await asyncio.wait_for(asyncio.gather(*answers, return_exceptions=True), DEADLINE * 4)
    assert len(results) == len(answers)
    # The server is up, and each open document ends at its latest version.
    for doc in docs:
        if is_open[doc]:
            await client.diagnostics_for(
                client.uri(doc),
                lambda d, v=version[doc]: aud101(d) == expected(v),
                f"{doc} at its last version",
                version=version[doc],
            )
    # Every publication matches its version; none is older than one before it.
    last: dict[str, int] = {}
    for params in client.publishes:
        if params.uri not in sent_versions:
            continue
        if params.version is None:  # a closed document handed back: cleared
            assert not params.diagnostics, params
            continue
        assert params.version in sent_versions[params.uri], params.version
        assert aud101(params.diagnostics) == expected(params.version), params
        assert params.version >= last.get(params.uri, 0), (params.uri, params.version)
        last[params.uri] = params.version


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def bad_change(uri: str, version: int) -> bytes:
    body = (
        '{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": '
        f'{{"uri": "{uri}", "version": {version}}}, "contentChanges": [{{"range": '
        '{"start": {"line": -3, "character": 0}, "end": {"line": 2, "character": -1}}, '
        '"text": "eval(x)"}]}}'
    )
    return frame(body.encode())
