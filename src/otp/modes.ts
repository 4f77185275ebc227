// The one-time-code modes a ticket may ask for at redemption (seed 002's tpd.otp).
export const OTP_MODES = ["none", "primary_email", "primary_phone", "alternate_email"] as const;
export type OtpMode = (typeof OTP_MODES)[number];
