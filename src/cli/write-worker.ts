/** Worker thread entry of the writer (see write-thread.ts): syncOutput over the batches the rendering thread hands over. */
import { parentPort, workerData } from 'node:worker_threads';
import { settle } from './thread-reply.js';
import { receivedFiles, writerFailed, type WriterData } from './write-thread.js';
import { syncOutput } from './write-output.js';

const { dir, groups, opts, shared, back } = workerData as WriterData;
const reply = await settle(() => syncOutput(dir, receivedFiles(parentPort!, shared, back), groups, opts));
back.close();
if ('error' in reply) writerFailed(shared);
parentPort!.postMessage(reply);
