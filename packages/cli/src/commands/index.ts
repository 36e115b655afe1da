import type { Command } from '../command.ts';
import { benchDataCommand } from './bench-data.ts';
import { dataConvertCommand } from './data-convert.ts';
import { dataInfoCommand } from './data-info.ts';
import { dataStatsCommand } from './data-stats.ts';
import { dataValidateCommand } from './data-validate.ts';
import { dataViewCommand } from './data-view.ts';
import { benchPolicyCommand } from './bench-policy.ts';
import { benchServeCommand } from './bench-serve.ts';
import { benchSimCommand } from './bench-sim.ts';
import { benchTorchCommand } from './bench-torch.ts';
import { demoCommand } from './demo.ts';
import { evalCommand } from './eval.ts';
import { evalCurveCommand } from './eval-curve.ts';
import { evalFocusCommand } from './eval-focus.ts';
import { runCommand } from './run.ts';
import { serveCommand } from './serve.ts';
import { simCollectCommand } from './sim-collect.ts';
import { simScenesCommand } from './sim-scenes.ts';
import { simRenderCommand } from './sim-render.ts';
import { trainCommand } from './train.ts';

/**
 * Every `robofm` command. Each lives in its own file in this folder (named after the command,
 * e.g. `bench-torch.ts`) and is listed here once.
 */
export const commands: Command[] = [
  dataInfoCommand,
  dataValidateCommand,
  dataStatsCommand,
  dataConvertCommand,
  dataViewCommand,
  benchDataCommand,
  trainCommand,
  demoCommand,
  benchPolicyCommand,
  evalCommand,
  evalCurveCommand,
  evalFocusCommand,
  simCollectCommand,
  simScenesCommand,
  simRenderCommand,
  benchSimCommand,
  benchTorchCommand,
  runCommand,
  serveCommand,
  benchServeCommand,
];
