// Edge: Electron APIs. Starts the embedded referral service from its launch plan: the system
// Node in development, Electron's `utilityProcess` when packaged.
import { mkdir } from 'node:fs/promises';
import { utilityProcess } from 'electron';
import { type ServiceLaunchPlan } from './service-plan';
import { type RunningService, type ServiceChild, spawnNodeService, waitForService } from './service-runner';

function forkUtilityService(plan: ServiceLaunchPlan & { kind: 'utility' }): ServiceChild {
  const child = utilityProcess.fork(plan.command, [...plan.args], {
    env: plan.env,
    stdio: 'pipe',
    serviceName: 'Loupe referral service',
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', (code) => listener(code)),
    onError: (listener) =>
      void child.on('error', (type, location) => listener(new Error(`${type}${location ? ` at ${location}` : ''}`))),
    kill: () => {
      if (!exited) child.kill();
    },
  };
}

export async function startService(plan: ServiceLaunchPlan, timeoutMs: number): Promise<RunningService> {
  await mkdir(plan.dataDir, { recursive: true });
  const child = plan.kind === 'node' ? spawnNodeService(plan) : forkUtilityService(plan);
  return waitForService(child, timeoutMs);
}
