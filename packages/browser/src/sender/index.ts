export {
  electSender,
  LEASE_HEARTBEAT_MS,
  LEASE_TTL_MS,
  type SenderElection,
} from './sender-election.js';
