-- Login throttling per (account, address) as well as per account and per address (issue 8, defect 7;
-- server/domain/auth.ts LOGIN_THROTTLE): counters keyed `pair:["<address>","<username>"]` join `user:` and `ip:`.
alter table login_throttle drop constraint if exists login_throttle_key_check;
alter table login_throttle add constraint login_throttle_key_check check (key ~ '^(user|ip|pair):');
comment on table login_throttle is E'Consecutive failed logins per (lower(username), client address) pair, per client address and per lower(username). Past the allowance a pair or an address waits (429 + Retry-After); an account is only slowed, never refused.';
