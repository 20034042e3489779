import { initTracing } from '@throughline/observability';

// Imported first by main.ts so tracing is set up before anything else loads.
initTracing('outbound');
