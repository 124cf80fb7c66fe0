import { App } from 'aws-cdk-lib';
import { configureBillingApp } from './billing-app.js';

const app = new App();
configureBillingApp(app);
app.synth();
