import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1_000 }, () => now);
  beforeEach(() => (now = 50_000));

  it('opens after the threshold of failures in a row and refuses until openMs has passed', () => {
    const circuit = breaker();
    circuit.failed();
    circuit.failed();
    expect(circuit.refusal()).toBeUndefined();
    circuit.failed();
    expect(circuit.state).toBe('open');
    expect(circuit.refusal()).toBe(1_000);
    now += 400;
    expect(circuit.refusal()).toBe(600);
  });

  it('counts only failures in a row: a success in between starts over', () => {
    const circuit = breaker();
    circuit.failed();
    circuit.failed();
    circuit.succeeded();
    circuit.failed();
    circuit.failed();
    expect(circuit.state).toBe('closed');
  });

  it('lets one trial call through when half-open; its success closes the circuit', () => {
    const circuit = breaker();
    [1, 2, 3].forEach(() => circuit.failed());
    now += 1_000;
    expect(circuit.state).toBe('half-open');
    expect(circuit.refusal()).toBeUndefined();
    // A second caller while the trial is out is refused.
    expect(circuit.refusal()).toBeGreaterThan(0);
    circuit.succeeded();
    expect(circuit.state).toBe('closed');
    expect(circuit.refusal()).toBeUndefined();
  });

  it('opens again at once when the trial call fails', () => {
    const circuit = breaker();
    [1, 2, 3].forEach(() => circuit.failed());
    now += 1_000;
    expect(circuit.refusal()).toBeUndefined();
    circuit.failed();
    expect(circuit.state).toBe('open');
    expect(circuit.refusal()).toBe(1_000);
  });
});
