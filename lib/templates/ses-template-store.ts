import {
  CreateEmailTemplateCommand,
  DeleteEmailTemplateCommand,
  GetEmailTemplateCommand,
  ListEmailTemplatesCommand,
  type SESv2Client,
  TestRenderEmailTemplateCommand,
  UpdateEmailTemplateCommand,
} from '@aws-sdk/client-sesv2';
import { TemplateRejectedError, TemplateRenderError } from './errors.js';
import type { SesTemplateContent, TemplateStore } from './ports.js';

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };
const status = (error: unknown) => (error as SdkError).$metadata?.httpStatusCode;
const isNotFound = (error: unknown) => (error as Error).name === 'NotFoundException' || status(error) === 404;
const isAlreadyExists = (error: unknown) => (error as Error).name === 'AlreadyExistsException';
const isBadRequest = (error: unknown) =>
  (error as Error).name === 'BadRequestException' || status(error) === 400;

const toSes = (c: SesTemplateContent) => ({ Subject: c.subject, Html: c.html, Text: c.text });

/** The TemplateStore on SES v2 (and on aws-ses-v2-local, whose errors carry only a status). */
export class SesTemplateStore implements TemplateStore {
  constructor(private readonly ses: SESv2Client) {}

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.ses.send(new ListEmailTemplatesCommand({ PageSize: 100, NextToken: token }));
      for (const t of page.TemplatesMetadata ?? []) {
        if (t.TemplateName?.startsWith(prefix)) names.push(t.TemplateName);
      }
      token = page.NextToken;
    } while (token);
    return names;
  }

  async get(sesName: string): Promise<SesTemplateContent | null> {
    try {
      const out = await this.ses.send(new GetEmailTemplateCommand({ TemplateName: sesName }));
      const c = out.TemplateContent ?? {};
      return { subject: c.Subject ?? '', html: c.Html || undefined, text: c.Text || undefined };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async put(sesName: string, content: SesTemplateContent): Promise<boolean> {
    try {
      await this.ses.send(
        new UpdateEmailTemplateCommand({ TemplateName: sesName, TemplateContent: toSes(content) }),
      );
      return false;
    } catch (error) {
      if (!isNotFound(error)) throw rejected(sesName, error);
    }
    if (await this.createIfMissing(sesName, content)) return true;
    // Created by someone else in between: ours is the newer write.
    return this.put(sesName, content);
  }

  async createIfMissing(sesName: string, content: SesTemplateContent): Promise<boolean> {
    if (await this.get(sesName)) return false;
    try {
      await this.ses.send(
        new CreateEmailTemplateCommand({ TemplateName: sesName, TemplateContent: toSes(content) }),
      );
      return true;
    } catch (error) {
      if (isAlreadyExists(error) || (isBadRequest(error) && (await this.get(sesName)))) return false;
      throw rejected(sesName, error);
    }
  }

  async delete(sesName: string): Promise<boolean> {
    try {
      await this.ses.send(new DeleteEmailTemplateCommand({ TemplateName: sesName }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async render(sesName: string, data: Record<string, unknown>): Promise<string> {
    try {
      const out = await this.ses.send(
        new TestRenderEmailTemplateCommand({ TemplateName: sesName, TemplateData: JSON.stringify(data) }),
      );
      return out.RenderedTemplate ?? '';
    } catch (error) {
      if (isBadRequest(error))
        throw new TemplateRenderError(sesName, (error as Error).message, { cause: error });
      throw error;
    }
  }
}

function rejected(sesName: string, error: unknown): Error {
  return isBadRequest(error)
    ? new TemplateRejectedError(sesName, (error as Error).message, { cause: error })
    : (error as Error);
}
