import type { CreateSellerInput } from '../../shared/contracts/schemas/seller.js';
import { DEMO_SELLERS } from '../../test/builders/sellers.js';

/**
 * Registers the demo sellers (`DEMO_SELLERS`) with `POST /v1/sellers`: order intake refuses a line whose
 * seller is not registered, so `npm start` and `npm run demo` call this first. One already registered (409,
 * a restart) is left as it is. `post` sends one body as the operator and answers the status.
 */
export async function registerDemoSellers(
  post: (seller: CreateSellerInput) => Promise<{ status: number; body: unknown }>,
): Promise<void> {
  for (const seller of DEMO_SELLERS) {
    const answer = await post(seller);
    if (answer.status !== 201 && answer.status !== 409) {
      throw new Error(
        `POST /v1/sellers ${seller.sellerId} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    }
  }
}
