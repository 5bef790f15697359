export { createProgressHub } from './progress-hub';
export type { ProgressHub, ProgressHubOptions, ProgressRegistration } from './progress-hub';
export type { TransitionDetail } from './progress-entry';
export { createSpeedEstimator } from './speed-estimator';
export type { SpeedEstimator, SpeedEstimatorOptions } from './speed-estimator';
