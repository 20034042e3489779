export { SAMPLE_PAYLOADS, sampleEventRecord } from './sample-events';
