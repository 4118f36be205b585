// Private S3-compatible storage (versitygw, from the repository's bin/)
// and clamd (Debian's clamav-daemon, with a database holding only the
// EICAR test signature), started for one e2e mode and stopped after it.
// Both are required: a missing binary fails the run.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// The standard 68-byte EICAR anti-malware test file, and its MD5 signature.
export const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
const EICAR_SIGNATURE = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitFor(what, ok, ms = 60000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start`);
}

function answers(port, send, want) {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    let got = "";
    c.on("connect", () => send && c.write(send));
    c.on("data", (d) => {
      got += d;
      if (!want || got.includes(want)) {
        c.destroy();
        resolve(true);
      }
    });
    c.on("error", () => resolve(false));
    if (!send) c.on("connect", () => (c.destroy(), resolve(true)));
  });
}

// startS3 starts versitygw (CORS open to any origin, for browser uploads).
export async function startS3() {
  const bin = join(repo, "bin", "versitygw");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: scripts/services.sh installs it`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pishkhan-e2e-s3-"));
  const access = "e2eaccess", secret = "e2esecret0123456789";
  const p = spawn(bin, ["--access", access, "--secret", secret, "--port", `127.0.0.1:${port}`, "--cors-allow-origin", "*", "posix", dir],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, VGW_QUIET: "true" } });
  await waitFor("versitygw", () => answers(port));
  return {
    env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: "media", S3_ACCESS_KEY: access, S3_SECRET_KEY: secret },
    stop: () => p.kill("SIGKILL"),
  };
}

// startClamd starts clamd on a free port with the EICAR-only database.
export async function startClamd() {
  const bin = ["/usr/sbin/clamd", "/usr/bin/clamd"].find(existsSync);
  if (!bin) throw new Error("clamd is missing: scripts/services.sh installs clamav-daemon");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pishkhan-e2e-clamd-"));
  mkdirSync(join(dir, "db"));
  writeFileSync(join(dir, "db", "eicar.hdb"), EICAR_SIGNATURE + "\n");
  const conf = join(dir, "clamd.conf");
  writeFileSync(conf, [
    "Foreground yes", `DatabaseDirectory ${join(dir, "db")}`, `TemporaryDirectory ${dir}`, `LogFile ${join(dir, "clamd.log")}`,
    "TCPAddr 127.0.0.1", `TCPSocket ${port}`, "StreamMaxLength 134217728", "MaxFileSize 134217728", "MaxScanSize 134217728",
    "SelfCheck 0", "",
  ].join("\n"));
  const p = spawn(bin, [`--config-file=${conf}`], { stdio: ["ignore", "ignore", "inherit"] });
  await waitFor("clamd", () => answers(port, "zPING\0", "PONG"));
  return { env: { CLAMAV_ADDR: `127.0.0.1:${port}` }, stop: () => p.kill("SIGKILL") };
}
