import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port.ts';
import { superviseServer, type ThrowawayServer } from './throwaway-server.ts';

/**
 * A throwaway nginx for the forward-auth tests: Debian's binary, started in the foreground
 * (`daemon off`) on a free loopback port with a generated config, its pid file, logs and temp
 * folders in a temporary folder that `remove()` deletes. scripts/ensure-system-deps.sh installs
 * the package.
 */
export type NginxServer = ThrowawayServer;

/** Debian keeps nginx in /usr/sbin, which is not on every PATH. */
const nginxBinary = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

/**
 * @param serverBlock the `server { ... }` body for `listen 127.0.0.1:PORT`, given the port.
 * @example
 * const nginx = await startNginx((port) => `location / { return 204; }`);
 * after(() => nginx.remove());
 */
export async function startNginx(serverBlock: (port: number) => string): Promise<NginxServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
  // Workers run as an unprivileged user when the tests run as root: let them into the folder.
  chmodSync(dir, 0o755);
  const port = await findFreePort();
  const config = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log stderr notice;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
${serverBlock(port)}
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  return superviseServer({
    name: 'nginx',
    url: `http://localhost:${port}`,
    port,
    dir,
    // -e: the start-up error log too, before the config is read (the default path is /var/log/nginx).
    launch: () => spawn(nginxBinary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }),
    readyStream: 'stderr',
    readyText: 'start worker process',
    stopSignal: 'SIGTERM',
    installHint: "install Debian's nginx package; npm test does it when run as root",
  });
}
