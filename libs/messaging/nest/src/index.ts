export * from './kafka-event.transport';
