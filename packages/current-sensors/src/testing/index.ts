// The emulated chips are in the main entry too (the demo runs on them); tests take them from here.
export { EmulatedAds1115 } from '../emulated-ads1115';
export { EmulatedIna226 } from '../emulated-ina226';
