import type { Target } from '../harness';
import { batchnormTargets } from './batchnorm';
import { coreMiscTargets } from './core-misc';
import { coreNnTargets } from './core-nn';
import { coreOpTargets } from './core-ops';
import { coreSubpathTargets } from './core-subpaths';
import { coreTorchTargets } from './core-torch';
import { lossesTargets } from './losses';
import { optimTargets } from './optim';
import { optimExtraTargets } from './optim-extra';
import { shapeTargets } from './shape';

export const ALL_TARGETS: Target<never>[] = [
  ...shapeTargets,
  ...coreOpTargets,
  ...coreMiscTargets,
  ...coreNnTargets,
  ...coreSubpathTargets,
  ...coreTorchTargets,
  ...batchnormTargets,
  ...lossesTargets,
  ...optimTargets,
  ...optimExtraTargets,
];
