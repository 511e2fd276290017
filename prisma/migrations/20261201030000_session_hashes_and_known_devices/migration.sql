-- Sessions are kept by the SHA-256 (hex) of their token, never the token itself: sessions.id
-- now holds that hash. Rows made before hold raw tokens, which no cookie can match any
-- more: they are dropped, and their holders sign in again.
DELETE FROM sessions;
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);

-- Sign-in attempts from a known device (app/auth/device.server.ts) are counted under the
-- device's id, apart from the account's and the address's lockout; NULL for unknown devices.
ALTER TABLE login_failures ADD COLUMN device TEXT;
CREATE INDEX login_failures_device ON login_failures (device, failed_at);
