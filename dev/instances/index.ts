/** Several instances of the function app on one machine (launcher.ts), and the scale-out run built on them. */
export { startInstances, type Instances, type InstancesOptions, type InstanceReport } from './launcher';
export { runScaleOut, type ScaleOutOptions, type ScaleOutRun } from './scaleOut';
