/** Worker thread entry of `sipbc generate` for a large inventory (see generate-run.ts): one run, one reply. */
import { parentPort, workerData } from 'node:worker_threads';
import { generateOutputs, type GenerateInput } from './generate-run.js';
import { settle } from './thread-reply.js';

parentPort!.postMessage(await settle(() => generateOutputs(workerData as GenerateInput)));
