/** The Graph simulator in a process of its own (dev/graph-simulator/childProcess.ts). */
export { startSimulatorProcess, type SimulatorProcess } from '../dev/graph-simulator/childProcess';
