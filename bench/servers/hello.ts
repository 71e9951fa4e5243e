import Fastify from 'fastify';
import { serveParent } from './child.ts';

/** The baseline every HTTP ratio is measured against: fastify 5 hello-world, no logger. */
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
serveParent({ port: typeof address === 'object' && address !== null ? address.port : null, close: () => app.close() });
