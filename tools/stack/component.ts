import { javaBinary } from './java';
import { isRunning, readPid, removeFile, sleep, spawnDetached, step, tail, terminate } from './proc';

export interface JavaLaunch {
  /** The program; default the `java` of `minJava` (the OpenID Connect provider runs on node). */
  command?: string;
  /** Arguments after `java` (or `command`). */
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** A JVM service run detached from the CLI, tracked by a pid file and probed over the network. */
export interface JavaComponent {
  name: string;
  address: string;
  logFile: string;
  pidFile: string;
  /** Substring of the process command line that identifies this component (guards against pid reuse). */
  marker: string;
  startTimeoutMs: number;
  /** Minimum Java major version. */
  minJava: number;
  /** Downloads and prepares whatever is missing; must be cheap when everything is in place. */
  install(): Promise<void>;
  launch(): JavaLaunch;
  isHealthy(): Promise<boolean>;
}

export interface StatusRow {
  component: string;
  address: string;
  pid: string;
  healthy: boolean;
}

function runningPid(component: JavaComponent): number | undefined {
  const pid = readPid(component.pidFile);
  return pid !== undefined && isRunning(pid, component.marker) ? pid : undefined;
}

export async function startComponent(component: JavaComponent): Promise<void> {
  const { name, address } = component;
  const existing = runningPid(component);
  if (existing !== undefined) {
    if (await component.isHealthy()) {
      console.log(`${name}: already running on ${address} (pid ${existing})`);
      return;
    }
    step(`${name}: process ${existing} is running but not answering yet; waiting for it on ${address}…`);
    await waitUntilHealthy(component, existing, Date.now());
    return;
  }
  removeFile(component.pidFile);
  if (await component.isHealthy()) {
    console.log(
      `${name}: something not managed by this tool already answers on ${address}; leaving it alone`,
    );
    return;
  }

  await component.install();
  const launch = component.launch();
  const startedAt = Date.now();
  const pid = spawnDetached({
    ...launch,
    command: launch.command ?? javaBinary(component.minJava),
    logFile: component.logFile,
    pidFile: component.pidFile,
  });
  step(`waiting for ${name} on ${address} (pid ${pid}, log ${component.logFile})…`);
  await waitUntilHealthy(component, pid, startedAt);
}

async function waitUntilHealthy(component: JavaComponent, pid: number, startedAt: number): Promise<void> {
  const { name, logFile, startTimeoutMs } = component;
  const deadline = startedAt + startTimeoutMs;
  for (;;) {
    if (!isRunning(pid, component.marker)) {
      removeFile(component.pidFile);
      throw new Error(`${name} exited during startup. Last lines of ${logFile}:\n${tail(logFile, 40)}`);
    }
    if (await component.isHealthy()) break;
    if (Date.now() > deadline) {
      throw new Error(
        `${name} (pid ${pid}) did not answer on ${component.address} within ${startTimeoutMs / 1000}s; see ${logFile}`,
      );
    }
    await sleep(1000);
  }
  console.log(
    `${name}: up on ${component.address} (pid ${pid}, ${((Date.now() - startedAt) / 1000).toFixed(1)}s)`,
  );
}

export async function stopComponent(component: JavaComponent): Promise<void> {
  const pid = runningPid(component);
  if (pid === undefined) {
    console.log(`${component.name}: not running`);
  } else {
    step(`stopping ${component.name} (pid ${pid})…`);
    const outcome = await terminate(pid, component.marker);
    console.log(`${component.name}: ${outcome === 'stopped' ? 'stopped' : 'killed after the grace period'}`);
  }
  removeFile(component.pidFile);
}

export async function componentStatus(component: JavaComponent): Promise<StatusRow> {
  const pid = runningPid(component);
  return {
    component: component.name,
    address: component.address,
    pid: pid === undefined ? '-' : String(pid),
    healthy: await component.isHealthy(),
  };
}
