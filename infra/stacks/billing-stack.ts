import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DataTable } from '../constructs/data-table.js';
import { BillingHttpApi } from '../constructs/http-api.js';
import { InvoiceBucket } from '../constructs/invoice-bucket.js';

export interface DeferredBillingStackProps extends StackProps {
  /**
   * IANA time zone in which billing periods are cut.
   * @default 'Europe/Paris'
   */
  readonly marketplaceTimeZone?: string;
}

/** The deferred-billing product: the table, the invoice bucket and the HTTP API. */
export class DeferredBillingStack extends Stack {
  public readonly dataTable: DataTable;
  public readonly invoiceBucket: InvoiceBucket;
  public readonly httpApi: BillingHttpApi;

  constructor(scope: Construct, id: string, props: DeferredBillingStackProps = {}) {
    super(scope, id, props);
    const marketplaceTimeZone = props.marketplaceTimeZone ?? 'Europe/Paris';
    assertTimeZone(marketplaceTimeZone);

    this.dataTable = new DataTable(this, 'Data');
    this.invoiceBucket = new InvoiceBucket(this, 'Invoices');
    this.httpApi = new BillingHttpApi(this, 'Http', { dataTable: this.dataTable, marketplaceTimeZone });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API' });
  }
}

/** Fails synthesis, rather than the first request, on a time zone the runtime would refuse. */
function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`marketplaceTimeZone is not an IANA time zone: ${timeZone}`);
  }
}
