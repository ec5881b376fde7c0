/**
 * `@hw3/core/safetensors`: checkpoints in the safetensors format (the one PyTorch / Hugging Face use): save tensors
 * (e.g. `module.stateDict()`) with string metadata to bytes, load them back, checked; and the same in PyTorch's
 * names and layouts (OIHW conv weights, NCHW-ordered Linear columns after a Flatten, int64 counters), for
 * `safetensors.torch.load_file` + `load_state_dict`, and back.
 */
export {
  type LoadSafetensorsOptions,
  loadSafetensors,
  type SafetensorsContents,
  SafetensorsError,
  type SaveSafetensorsOptions,
  saveSafetensors,
} from '../safetensors';
export {
  type FromTorchStateDictOptions,
  fromTorchStateDict,
  type LoadTorchSafetensorsOptions,
  loadTorchSafetensors,
  nchwToNhwc,
  nhwcToNchw,
  type SaveTorchSafetensorsOptions,
  saveTorchSafetensors,
  type TorchStateDictOptions,
  toTorchStateDict,
} from '../torch-state-dict';
