import { NatStrategy } from '@groundwork/networking';
import type { NatStrategy as ConfigNatStrategy } from './config/schema';

/** A config file's `vpc.natStrategy` as @groundwork/networking's enum (composition and config checks use the same). */
export const NAT_STRATEGIES: Readonly<Record<ConfigNatStrategy, NatStrategy>> = {
  none: NatStrategy.NONE,
  single: NatStrategy.SINGLE,
  perAz: NatStrategy.PER_AZ,
};
