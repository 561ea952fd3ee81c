/** One templated mail, ready for the provider. */
export interface OutgoingEmail {
  to: string;
  /** Full SES template name (with the deployment prefix and language). */
  sesTemplate: string;
  templateData: Record<string, unknown>;
  headers: { name: string; value: string }[];
  /** Provider tags (SES EmailTags): letters, digits, _ and - only. */
  tags: Record<string, string>;
  /** Open pixel and rewritten links (the tracked configuration set), or neither (the untracked one). */
  tracked: boolean;
}

/** Port to the mail provider; throws TransientSendError or PermanentSendError. */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
