/**
 * `@hw3/core/safetensors`: checkpoints in the safetensors format (the one PyTorch / Hugging Face use): save tensors
 * (e.g. `module.stateDict()`) with string metadata to bytes, load them back, checked.
 */
export {
  type LoadSafetensorsOptions,
  loadSafetensors,
  type SafetensorsContents,
  SafetensorsError,
  type SaveSafetensorsOptions,
  saveSafetensors,
} from '../safetensors';
