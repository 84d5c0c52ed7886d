/**
 * The interface every benchmarked system implements. A new system (such as the coming
 * `stablegrad-compiled`) is one file exporting a `System`, plus one line in systems/index.ts.
 * @module
 */
import type { Workload } from './workloads.js';

/**
 * Bytes a runner holds, and how they were counted (methods differ between libraries).
 * @example
 * ```ts
 * const memory: MemoryReport = { bytes: 1_310_720, method: 'peak live tensors over one step (tf.profile)' };
 * ```
 */
export interface MemoryReport {
  readonly bytes: number;
  readonly method: string;
}

/**
 * One system set up for one workload: weights, optimizer state and data in place.
 * @example
 * ```ts
 * const runner = await system.setup(workload);
 * const loss = await runner.step();
 * runner.dispose();
 * ```
 */
export interface Runner {
  /**
   * One training step (forward, backward, Adam update), or one forward and backward for a
   * loss-only workload. Returns the loss computed in the step (before the update), and must not
   * return before the computation is complete: asynchronous backends read their results.
   */
  step(): number | Promise<number>;
  /**
   * Makes this runner's backend current. Called before every timed sample, outside the timing:
   * systems sharing a global engine (TensorFlow.js cpu and wasm) switch backends here.
   */
  activate?(): Promise<void>;
  /** Bytes held for the step, measured outside the timing; absent where the library cannot tell. */
  memory?(): Promise<MemoryReport>;
  /**
   * Runs `count` steps and returns the time per step as the system measured it. For systems in
   * another process (PyTorch), whose messages to and from Node must not count; the harness then
   * uses this instead of timing `step()` calls itself.
   */
  timedSteps?(count: number): Promise<TimedSteps>;
  /** What actually ran (library version, threads, BLAS), printed in the notes under the table. */
  readonly describe?: string;
  /** Frees what setup allocated. */
  dispose(): void;
}

/**
 * Steps timed by the system itself.
 * @example
 * ```ts
 * const { ms, loss } = await runner.timedSteps!(100);
 * ```
 */
export interface TimedSteps {
  /** Milliseconds per step, the mean over the steps run. */
  readonly ms: number;
  /** Loss of the last step. */
  readonly loss: number;
}

/**
 * A system under test.
 * @example
 * ```ts
 * export const mySystem: System = { name: 'my-system', family: 'peer', setup: async (w) => makeRunner(w) };
 * ```
 */
export interface System {
  /** Name shown in the table and accepted by `--systems`. */
  readonly name: string;
  /** stablegrad systems are the base of the ratios; peers are compared against them. */
  readonly family: 'stablegrad' | 'peer';
  /**
   * Builds the workload's model and state. Rejects (with a reason) when the system cannot run
   * here, e.g. a backend that fails to load; the table then says "unavailable".
   */
  setup(workload: Workload): Promise<Runner>;
}
