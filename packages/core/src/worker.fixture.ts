import { parentPort, workerData } from 'node:worker_threads';

const x: number = (workerData as { x: number }).x;
parentPort?.postMessage({ doubled: x * 2, argv: process.argv.slice(2) });
