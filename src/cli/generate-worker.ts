/** Worker thread entry of `sipbc generate` for a large inventory (see generate-run.ts): one run, one reply. */
import { parentPort, workerData } from 'node:worker_threads';
import { generateOutputs, settle, type GenerateInput } from './generate-run.js';

parentPort!.postMessage(settle(() => generateOutputs(workerData as GenerateInput)));
