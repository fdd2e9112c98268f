// Run by e2e/src/telemetry-otlp.spec.ts (with tsx, as the demo runs): registers the demo's SDK, makes
// one traced @onex/http GET to the URL in argv[2], flushes the spans and prints the trace id.
import { context, trace } from '@opentelemetry/api';
import { HttpClient } from '@onex/http';
import { startTelemetry } from './telemetry.js';

const telemetry = startTelemetry();
const client = new HttpClient();
const root = trace.getTracer('onex-demo').startSpan('otlp probe');
await context.with(trace.setSpan(context.active(), root), () => client.get(process.argv[2] ?? ''));
root.end();
await client.close();
await telemetry.shutdown();
process.stdout.write(`${root.spanContext().traceId}\n`);
