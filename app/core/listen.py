"""Listening to a PostgreSQL NOTIFY channel for as long as the process runs."""

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.engine import make_url

from app.core.config import get_settings

log = logging.getLogger(__name__)


async def listen_forever(
    channel: str,
    *,
    on_notice: Callable[[str], None],
    on_connect: Callable[[], None],
    on_lost: Callable[[], None] = lambda: None,
) -> None:
    """LISTEN on `channel` and hand each payload to `on_notice`; reconnect a second after the
    connection is lost. `on_connect` runs on every (re)connection: what was sent while nobody
    listened is unknown, so it should make everyone look."""
    import psycopg

    url = make_url(get_settings().database_url).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(f"LISTEN {channel}")
                on_connect()
                async for notice in conn.notifies():
                    on_notice(notice.payload)
        except asyncio.CancelledError:
            raise
        except Exception:
            on_lost()
            log.warning("notices on %s: listener lost its connection; retrying", channel)
            await asyncio.sleep(1)
