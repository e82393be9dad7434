// Makes sure Chromium is present for the browser suites: installs Debian's package when we are
// root with apt, otherwise stops with one line saying how to install it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

if (!findChromium()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.error('Chromium is missing: installing Debian\'s "chromium" package with apt-get…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  }
  if (!findChromium()) {
    console.error(
      'Chromium not found: install it with "sudo apt-get install -y chromium" or set CHROME_PATH to a Chrome/Chromium binary.',
    );
    process.exit(1);
  }
}
