/**
 * The size of libuv's thread pool, set before anything uses it. The pool
 * runs file-system calls (the disk check's statfs, reads of /proc and
 * /sys), DNS lookups (every network check's getaddrinfo), crypto and
 * argon2: with libuv's default of 4 threads a few slow lookups or password
 * verifications make healthy checks time out (issue 15). libuv reads
 * UV_THREADPOOL_SIZE once, when the pool starts on its first use, so the
 * CLI imports this module before any other (src/cli.ts). A value the user
 * set in the environment is kept.
 */
export const THREADPOOL_SIZE = 16;

process.env.UV_THREADPOOL_SIZE ||= String(THREADPOOL_SIZE);
