// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

interface IERC20 {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title A constant-product pool of two ERC-20 tokens, after Uniswap v2's pair (without the
///        liquidity token and the price oracle).
/// @notice `swap` is v2's low-level swap: the caller sends the input first, the pool sends the
///         outputs and checks that x*y=k holds after a 0.3% fee on the input. `swapExactIn` is
///         the one-transaction form a router would do: it pulls the input with transferFrom
///         (the caller approved the pool), computes the output and calls the same checked swap.
///         Liquidity is added by transferring tokens in and calling `sync`.
///         Storage layout (lib/workloads/layout.ts relies on it): token0 at slot 0, token1 at
///         slot 1, reserve0 | reserve1 << 112 | blockTimestampLast << 224 at slot 2.
contract Pool {
    address public token0;
    address public token1;
    uint112 private reserve0;
    uint112 private reserve1;
    uint32 private blockTimestampLast;
    bool private transient locked;

    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );
    event Sync(uint112 reserve0, uint112 reserve1);

    modifier lock() {
        require(!locked, "locked");
        locked = true;
        _;
        locked = false;
    }

    constructor(address tokenA, address tokenB) {
        require(tokenA != tokenB, "identical tokens");
        (token0, token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
    }

    function getReserves() public view returns (uint112, uint112, uint32) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    /// The output for `amountIn` with the 0.3% fee, as Uniswap v2's library computes it.
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        public
        pure
        returns (uint256)
    {
        require(amountIn > 0 && reserveIn > 0 && reserveOut > 0, "bad amounts");
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }

    function swapExactIn(address tokenIn, uint256 amountIn, uint256 amountOutMin, address to)
        external
        returns (uint256 amountOut)
    {
        bool zeroForOne = tokenIn == token0;
        require(zeroForOne || tokenIn == token1, "unknown token");
        (uint112 r0, uint112 r1,) = getReserves();
        amountOut = zeroForOne ? getAmountOut(amountIn, r0, r1) : getAmountOut(amountIn, r1, r0);
        require(amountOut >= amountOutMin, "slippage");
        require(IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn), "transferFrom");
        if (zeroForOne) swap(0, amountOut, to);
        else swap(amountOut, 0, to);
    }

    function swap(uint256 amount0Out, uint256 amount1Out, address to) public lock {
        require(amount0Out > 0 || amount1Out > 0, "no output");
        (uint112 r0, uint112 r1,) = getReserves();
        require(amount0Out < r0 && amount1Out < r1, "liquidity");
        address t0 = token0;
        address t1 = token1;
        require(to != t0 && to != t1, "bad to");
        if (amount0Out > 0) require(IERC20(t0).transfer(to, amount0Out), "transfer");
        if (amount1Out > 0) require(IERC20(t1).transfer(to, amount1Out), "transfer");
        uint256 balance0 = IERC20(t0).balanceOf(address(this));
        uint256 balance1 = IERC20(t1).balanceOf(address(this));
        (uint256 amount0In, uint256 amount1In) =
            _checkK(balance0, balance1, amount0Out, amount1Out, r0, r1);
        _update(balance0, balance1);
        emit Swap(msg.sender, amount0In, amount1In, amount0Out, amount1Out, to);
    }

    /// The inputs implied by the balances, after checking x*y=k with the 0.3% fee on them.
    function _checkK(
        uint256 balance0,
        uint256 balance1,
        uint256 amount0Out,
        uint256 amount1Out,
        uint112 r0,
        uint112 r1
    ) private pure returns (uint256 amount0In, uint256 amount1In) {
        amount0In = balance0 > r0 - amount0Out ? balance0 - (r0 - amount0Out) : 0;
        amount1In = balance1 > r1 - amount1Out ? balance1 - (r1 - amount1Out) : 0;
        require(amount0In > 0 || amount1In > 0, "no input");
        uint256 adjusted0 = balance0 * 1000 - amount0In * 3;
        uint256 adjusted1 = balance1 * 1000 - amount1In * 3;
        require(adjusted0 * adjusted1 >= uint256(r0) * r1 * 1000 ** 2, "k");
    }

    /// Makes the reserves match the balances (how liquidity is added).
    function sync() external lock {
        _update(IERC20(token0).balanceOf(address(this)), IERC20(token1).balanceOf(address(this)));
    }

    function _update(uint256 balance0, uint256 balance1) private {
        require(balance0 <= type(uint112).max && balance1 <= type(uint112).max, "overflow");
        reserve0 = uint112(balance0);
        reserve1 = uint112(balance1);
        blockTimestampLast = uint32(block.timestamp);
        emit Sync(uint112(balance0), uint112(balance1));
    }
}
