export {
  electSender,
  LEASE_HEARTBEAT_MS,
  LEASE_TTL_MS,
  type SenderElection,
  type SenderElectionOptions,
} from './sender-election.js';
