"""A tiny y-websocket client on pycrdt, for tests and the benchmark (other tools can join too)."""

from pycrdt import (
    Decoder,
    Doc,
    Text,
    TransactionEvent,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    write_var_uint,
)


def sync_message(sub: int, payload: bytes) -> bytes:
    return bytes(
        write_var_uint(YMessageType.SYNC)
        + write_var_uint(sub)
        + write_var_uint(len(payload))
        + payload
    )


def awareness_message(client_id: int, clock: int, state: str) -> bytes:
    raw = state.encode()
    body = write_var_uint(1) + write_var_uint(client_id) + write_var_uint(clock)
    body += write_var_uint(len(raw)) + raw
    return bytes(write_var_uint(YMessageType.AWARENESS) + write_var_uint(len(body)) + body)


class YClient:
    """Holds a Doc; feed() consumes server messages and returns the replies to send."""

    def __init__(self) -> None:
        self.doc = Doc()
        self.text = self.doc.get("content", type=Text)
        self.outbox: list[bytes] = []
        self.synced = False
        self.awareness: list[bytes] = []
        self._sub = self.doc.observe(self._on_change)
        self._applying = False

    def _on_change(self, event: TransactionEvent) -> None:
        if not self._applying:
            self.outbox.append(sync_message(YSyncMessageType.SYNC_UPDATE, event.update))

    def hello(self) -> bytes:
        return bytes(create_sync_message(self.doc))

    def feed(self, data: bytes) -> list[bytes]:
        replies: list[bytes] = []
        decoder = Decoder(data)
        kind = decoder.read_var_uint()
        if kind == YMessageType.SYNC:
            sub = decoder.read_var_uint()
            payload = decoder.read_message() or b""
            if sub == YSyncMessageType.SYNC_STEP1:
                replies.append(
                    sync_message(YSyncMessageType.SYNC_STEP2, self.doc.get_update(payload))
                )
            else:
                self._applying = True
                try:
                    self.doc.apply_update(payload)
                finally:
                    self._applying = False
                if sub == YSyncMessageType.SYNC_STEP2:
                    self.synced = True
        elif kind == YMessageType.AWARENESS:
            self.awareness.append(data)
        return replies

    def type(self, index: int, value: str) -> list[bytes]:
        self.text.insert(index, value)
        return self.take()

    def take(self) -> list[bytes]:
        out, self.outbox = self.outbox, []
        return out

    def value(self) -> str:
        return str(self.text)
