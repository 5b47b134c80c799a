"""Procurement: cases by route, tenders and awards, contracts, amendments and payments through the ledger.

Money follows the requirement. Approving an allocation plan reserved money per contribution for each
requirement; signing a contract moves the line's value from those reservations to contracted money
(contract entries, in proportion to what each contribution holds, largest remainder); a payment moves
contracted money to disbursed (disbursement entries, the same way). The shares are kept with the
contract and the payment, so every euro paid names the donor whose money paid it. An exchange-rate
difference that makes a payment worth more than the money contracted for it is drawn from what is still
reserved for the contract's requirements; nothing is ever paid beyond what is reserved.

One module per thing procurement does: ``cases`` (open, approve the route, cancel), ``tenders`` (publish,
bids, evaluation, awards), ``contracts`` (sign, amend), ``payments`` (pay, reverse); ``money`` moves the
money between reserved, contracted and disbursed for them. What each route allows and each step requires
is data in ``coalition.domain.procurement.ROUTE_RULES``.
"""
